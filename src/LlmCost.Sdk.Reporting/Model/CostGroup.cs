namespace LlmCost.Sdk.Reporting;

/// <summary>The sums of one group of records over a report's period.</summary>
public sealed record CostGroup
{
    /// <summary>Gets the group's value per dimension of its table; <see langword="null"/> where the records have none.</summary>
    public required IReadOnlyList<string?> Keys { get; init; }

    /// <summary>Gets the number of calls.</summary>
    public long Calls { get; init; }

    /// <summary>Gets the number of calls without a cost; their spend is unknown and not in <see cref="Cost"/>.</summary>
    public long UnpricedCalls { get; init; }

    /// <summary>Gets the input tokens (cache reads and writes included).</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the part of <see cref="InputTokens"/> read from a prompt cache.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the output tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the cost of the priced calls in USD.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets the fixed costs allocated to the group in USD.</summary>
    public decimal FixedCost { get; init; }

    /// <summary>Gets the input and output tokens.</summary>
    public long Tokens => InputTokens + OutputTokens;

    /// <summary>Gets the average cost of a priced call, or <see langword="null"/> when no call was priced.</summary>
    public decimal? CostPerCall => Calls - UnpricedCalls > 0 ? Cost / (Calls - UnpricedCalls) : null;

    /// <summary>Gets the group's share of the cost of its table, from 0 to 1.</summary>
    public decimal Share { get; init; }
}
