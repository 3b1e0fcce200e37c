namespace LlmCost.Sdk;

/// <summary>What <see cref="ICostRecordQuery.AggregateAsync"/> sums: a time range, the dimensions to group by and the bucket size.</summary>
public sealed class CostAggregateQuery
{
    /// <summary>The default and smallest <see cref="BucketSize"/>: 15 minutes, so every UTC offset in use maps buckets to local days exactly.</summary>
    public static readonly TimeSpan DefaultBucketSize = TimeSpan.FromMinutes(15);

    /// <summary>Gets the start of the range (inclusive), compared with <see cref="CostRecord.Timestamp"/>.</summary>
    public required DateTimeOffset From { get; init; }

    /// <summary>Gets the end of the range (exclusive).</summary>
    public required DateTimeOffset To { get; init; }

    /// <summary>Gets the dimensions to group by, in the order of <see cref="CostAggregate.Keys"/>.</summary>
    /// <value>The default value is empty: one group per bucket.</value>
    /// <exception cref="ArgumentException">The value is <see langword="null"/>.</exception>
    public IReadOnlyList<CostDimension> GroupBy
    {
        get;
        init => field = value ?? throw new ArgumentException("GroupBy must not be null (empty for one group per bucket).", nameof(GroupBy));
    } = [];

    /// <summary>
    /// Gets the width of the UTC time buckets the sums are split into (buckets start at multiples of it since the Unix epoch).
    /// A whole multiple of <see cref="DefaultBucketSize"/>; a caller maps buckets to days in its own time zone.
    /// </summary>
    /// <value>The default value is 15 minutes.</value>
    /// <exception cref="ArgumentException">The value is not a positive whole multiple of <see cref="DefaultBucketSize"/>.</exception>
    public TimeSpan BucketSize
    {
        get;
        init => field = value > TimeSpan.Zero && value.Ticks % DefaultBucketSize.Ticks == 0
            ? value
            : throw new ArgumentException($"BucketSize must be a positive whole multiple of {DefaultBucketSize} (was {value}).", nameof(BucketSize));
    } = DefaultBucketSize;
}
