namespace LlmCost.Sdk;

/// <summary>What an <see cref="IBudgetStore"/> knows of a scope's window: settled spend and live reservations.</summary>
public sealed record BudgetTotals
{
    /// <summary>Gets a value indicating whether the reservation was granted (always <see langword="true"/> for a settlement).</summary>
    public bool Granted { get; init; }

    /// <summary>Gets the settled spend of the window in USD.</summary>
    public decimal Spent { get; init; }

    /// <summary>Gets the live reservations of the scope in USD (not counting the one just granted).</summary>
    public decimal Reserved { get; init; }

    /// <summary>Gets the settled tokens of the window.</summary>
    public long TokensSpent { get; init; }

    /// <summary>Gets the reserved tokens (not counting the one just granted).</summary>
    public long TokensReserved { get; init; }
}
