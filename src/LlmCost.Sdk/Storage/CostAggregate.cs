namespace LlmCost.Sdk;

/// <summary>The sums of the records in one time bucket and one group of a <see cref="CostAggregateQuery"/>.</summary>
public sealed record CostAggregate
{
    /// <summary>Gets the start of the UTC time bucket.</summary>
    public required DateTimeOffset BucketStart { get; init; }

    /// <summary>
    /// Gets the values of the group, one per dimension of its grouping (<see cref="CostAggregateQuery.GroupBy"/>, or the
    /// set <see cref="GroupingSet"/> names) in the same order; <see langword="null"/> where the records have no value (an
    /// untagged call).
    /// </summary>
    public required IReadOnlyList<string?> Keys { get; init; }

    /// <summary>Gets the index in <see cref="CostAggregateQuery.EffectiveGroupingSets"/> of the grouping these sums belong to (0 for a query by <see cref="CostAggregateQuery.GroupBy"/>).</summary>
    public int GroupingSet { get; init; }

    /// <summary>Gets the number of records (calls).</summary>
    public long Calls { get; init; }

    /// <summary>Gets the number of records without a cost (<c>cost: null</c>: unpriced, or usage not known). They add nothing to <see cref="Cost"/>.</summary>
    public long UnpricedCalls { get; init; }

    /// <summary>Gets the sum of <see cref="TokenUsage.InputTokens"/>.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the sum of <see cref="TokenUsage.CachedInputTokens"/>.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the sum of <see cref="TokenUsage.OutputTokens"/>.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the sum of <see cref="CostBreakdown.Total"/> in USD over the priced records.</summary>
    public decimal Cost { get; init; }
}
