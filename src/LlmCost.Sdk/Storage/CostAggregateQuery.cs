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
    /// Gets several groupings to sum in the same query, as SQL's <c>GROUPING SETS</c> do: when not empty it replaces
    /// <see cref="GroupBy"/>, and the result holds, for each set, one <see cref="CostAggregate"/> per bucket and group of
    /// that set, whose <see cref="CostAggregate.GroupingSet"/> is the set's index in this list and whose
    /// <see cref="CostAggregate.Keys"/> follow the set's order. A report that needs spend per feature, per model and per
    /// customer asks once (one pass over the records in the database) and receives a few rows per day instead of one row
    /// per day and combination of all three.
    /// </summary>
    /// <value>The default value is empty: the one grouping <see cref="GroupBy"/>.</value>
    /// <exception cref="ArgumentException">
    /// The value is <see langword="null"/>, a set is <see langword="null"/>, names a dimension twice or an unknown one,
    /// or two sets hold the same dimensions.
    /// </exception>
    public IReadOnlyList<IReadOnlyList<CostDimension>> GroupingSets
    {
        get;
        init => field = Validate(value);
    } = [];

    /// <summary>Gets the groupings this query sums: <see cref="GroupingSets"/>, or <see cref="GroupBy"/> alone when there are none.</summary>
    public IReadOnlyList<IReadOnlyList<CostDimension>> EffectiveGroupingSets => GroupingSets.Count == 0 ? [GroupBy] : GroupingSets;

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

    private static IReadOnlyList<IReadOnlyList<CostDimension>> Validate(IReadOnlyList<IReadOnlyList<CostDimension>> value)
    {
        if (value is null)
        {
            throw new ArgumentException("GroupingSets must not be null (empty for the one grouping GroupBy).", nameof(value));
        }

        var seen = new HashSet<int>();
        for (var i = 0; i < value.Count; i++)
        {
            if (value[i] is not { } set)
            {
                throw new ArgumentException($"GroupingSets[{i}] is null (an empty set means one group per bucket).", nameof(value));
            }

            var mask = 0;
            foreach (var dimension in set)
            {
                if (!Enum.IsDefined(dimension))
                {
                    throw new ArgumentException($"GroupingSets[{i}] names an unknown dimension ({(int)dimension}).", nameof(value));
                }

                var bit = 1 << (int)dimension;
                if ((mask & bit) != 0)
                {
                    throw new ArgumentException($"GroupingSets[{i}] names {dimension} twice.", nameof(value));
                }

                mask |= bit;
            }

            if (!seen.Add(mask))
            {
                throw new ArgumentException($"GroupingSets[{i}] holds the same dimensions as an earlier set.", nameof(value));
            }
        }

        return value;
    }
}
