namespace LlmCost.Sdk;

/// <summary>The end of a reservation in an <see cref="IBudgetStore"/>: the call's real cost and tokens, added to buckets.</summary>
public sealed record BudgetSettlement
{
    /// <summary>Gets the scope.</summary>
    public required string ScopeKey { get; init; }

    /// <summary>Gets the reservation's id (<see cref="BudgetReservation.Id"/>), or <see langword="null"/> when nothing was reserved.</summary>
    public string? Id { get; init; }

    /// <summary>Gets the buckets whose spend makes up the window (for the totals returned).</summary>
    public required IReadOnlyList<string> Buckets { get; init; }

    /// <summary>Gets the buckets the cost and tokens are added to.</summary>
    public required IReadOnlyList<BudgetBucket> AddTo { get; init; }

    /// <summary>Gets the real cost in USD (zero to release a reservation only).</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets the real tokens.</summary>
    public long Tokens { get; init; }

    /// <summary>Gets the current time (from the application's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset Now { get; init; }
}
