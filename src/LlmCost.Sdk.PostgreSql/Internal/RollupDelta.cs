using System.Runtime.InteropServices;

namespace LlmCost.Sdk;

/// <summary>
/// A batch's sums per row of <c>cost_rollups</c> (15-minute UTC bucket from the Unix epoch, provider, model or else the
/// requested model, feature, team, customer, environment), computed in the client exactly as the schema's SQL computes
/// them from the records (<c>date_bin</c>, <c>coalesce(model, request_model)</c>, exact decimal sums). From schema
/// version 6 each record is summed twice: into its group of the five dimensions without the customer, and into its
/// customer's (<see cref="PostgreSqlSchema.GrainVersion"/>).
/// </summary>
internal static class RollupDelta
{
    private static readonly long Quantum = CostAggregateQuery.DefaultBucketSize.Ticks;

    /// <summary>
    /// Sums records <paramref name="offset"/> to <paramref name="offset"/> + <paramref name="count"/> − 1 per rollup key;
    /// null when a sum of costs is not exact in <see cref="decimal"/> (it would overflow, or need more than 28 digits and
    /// be rounded), where PostgreSQL's <c>numeric</c> is exact: the caller then sums in SQL.
    /// </summary>
    /// <param name="records">The batch.</param>
    /// <param name="offset">The first record of the part.</param>
    /// <param name="count">The part's records.</param>
    /// <param name="grains">Whether to key the sums at grains 1 and 2 (schema version 6), else at grain 0 (all six dimensions).</param>
    public static Dictionary<RollupKey, RollupSums>? Aggregate(IReadOnlyList<CostRecord> records, int offset, int count, bool grains)
    {
        var groups = new Dictionary<RollupKey, RollupSums>();
        for (var i = offset; i < offset + count; i++)
        {
            var record = records[i];
            var tags = record.Tags;
            var bucket = Bucket(record.Timestamp);
            var model = record.Model ?? record.RequestModel;
            if (grains)
            {
                if (!Add(groups, new RollupKey(bucket, PostgreSqlSchema.WithoutCustomerGrain, record.Provider, model, tags.Feature, tags.Team, null, tags.Environment), record)
                    || !Add(groups, new RollupKey(bucket, PostgreSqlSchema.CustomerGrain, null, null, null, null, tags.Customer, null), record))
                {
                    return null;
                }
            }
            else if (!Add(groups, new RollupKey(bucket, PostgreSqlSchema.AllDimensionsGrain, record.Provider, model, tags.Feature, tags.Team, tags.Customer, tags.Environment), record))
            {
                return null;
            }
        }

        return groups;
    }

    private static bool Add(Dictionary<RollupKey, RollupSums> groups, in RollupKey key, CostRecord record)
    {
        ref var sums = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out _);
        var usage = record.Usage;
        sums.Calls++;
        sums.InputTokens += usage.InputTokens;
        sums.CachedInputTokens += usage.CachedInputTokens;
        sums.OutputTokens += usage.OutputTokens;
        if (record.Cost is { } cost)
        {
            if (!TryAddExactly(sums.Cost, cost.Total, out var total))
            {
                return false;
            }

            sums.Cost = total;
        }
        else
        {
            sums.UnpricedCalls++;
        }

        return true;
    }

    /// <summary>Adds two decimals when the sum is exact: decimal addition rounds (drops scale) rather than overflow its 96 bits, and throws past that.</summary>
    internal static bool TryAddExactly(decimal a, decimal b, out decimal sum)
    {
        try
        {
            sum = a + b;
        }
        catch (OverflowException)
        {
            sum = 0;
            return false;
        }

        return sum.Scale == Math.Max(a.Scale, b.Scale);
    }

    /// <summary>The start of the record's 15-minute bucket, in UTC (floored, as <c>date_bin</c> from the epoch).</summary>
    public static DateTime Bucket(DateTimeOffset timestamp)
    {
        var ticks = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var floor = ticks - (((ticks % Quantum) + Quantum) % Quantum);
        return new DateTime(DateTimeOffset.UnixEpoch.UtcTicks + floor, DateTimeKind.Utc);
    }
}

/// <summary>
/// The key of a <c>cost_rollups</c> row (strings compared ordinally, as PostgreSQL's deterministic equality). At grain 2
/// (the customer alone) the provider is null, as in the table.
/// </summary>
internal readonly record struct RollupKey(DateTime Bucket, short Grain, string? Provider, string? Model, string? Feature, string? Team, string? Customer, string? Environment);

/// <summary>The sums of a <c>cost_rollups</c> row.</summary>
internal struct RollupSums
{
    public long Calls { get; set; }

    public long UnpricedCalls { get; set; }

    public long InputTokens { get; set; }

    public long CachedInputTokens { get; set; }

    public long OutputTokens { get; set; }

    public decimal Cost { get; set; }
}
