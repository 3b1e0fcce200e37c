namespace LlmCost.Sdk.Reporting;

/// <summary>The part of one fixed cost line given to one group.</summary>
public sealed record FixedCostAllocation
{
    /// <summary>Gets the name of the fixed cost line.</summary>
    public required string Line { get; init; }

    /// <summary>Gets the group (as in <see cref="CostReport.Groups"/>), or <see langword="null"/> when no record of the line's scope had tokens to share it by.</summary>
    public IReadOnlyList<string?>? Keys { get; init; }

    /// <summary>Gets the group's share of the line's tokens, from 0 to 1.</summary>
    public decimal TokenShare { get; init; }

    /// <summary>Gets the amount in USD.</summary>
    public decimal Amount { get; init; }
}
