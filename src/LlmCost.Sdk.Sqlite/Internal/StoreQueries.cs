namespace LlmCost.Sdk;

/// <summary>Checks and conversions shared by the store's queries.</summary>
internal static class StoreQueries
{
    /// <summary>Rejects a bucket size the contract does not allow (a positive whole multiple of 15 minutes).</summary>
    public static void Validate(CostAggregateQuery query)
    {
        if (query.GroupBy is null)
        {
            throw new ArgumentException("GroupBy must not be null (empty for one group per bucket).", nameof(query));
        }

        var size = query.BucketSize;
        if (size <= TimeSpan.Zero || size.Ticks % CostAggregateQuery.DefaultBucketSize.Ticks != 0)
        {
            throw new ArgumentException(
                $"BucketSize must be a positive whole multiple of {CostAggregateQuery.DefaultBucketSize} (was {size}).", nameof(query));
        }
    }

    /// <summary>Unix milliseconds, rounded up so that a stored (truncated) timestamp compares as the exact one would.</summary>
    public static long ToUnixMs(DateTimeOffset value)
    {
        var ms = value.ToUnixTimeMilliseconds();
        return value.UtcTicks % TimeSpan.TicksPerMillisecond == 0 ? ms : ms + 1;
    }
}
