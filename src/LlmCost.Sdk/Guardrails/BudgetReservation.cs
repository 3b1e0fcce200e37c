namespace LlmCost.Sdk;

/// <summary>A call's estimate to reserve in an <see cref="IBudgetStore"/> before the call is sent.</summary>
public sealed record BudgetReservation
{
    /// <summary>Gets the scope: a budget and its values for <c>*</c> fields.</summary>
    public required string ScopeKey { get; init; }

    /// <summary>Gets the buckets whose spend makes up the window.</summary>
    public required IReadOnlyList<string> Buckets { get; init; }

    /// <summary>Gets the reservation's id, unique per call and scope.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the estimated cost in USD.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets the estimated tokens.</summary>
    public long Tokens { get; init; }

    /// <summary>Gets the limit in USD that the window's spend, the live reservations and this one must stay within, or <see langword="null"/> (always granted).</summary>
    public decimal? CostLimit { get; init; }

    /// <summary>Gets the token limit, or <see langword="null"/>.</summary>
    public long? TokenLimit { get; init; }

    /// <summary>Gets the current time (from the application's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset Now { get; init; }

    /// <summary>Gets when the reservation stops counting if it is never settled.</summary>
    public DateTimeOffset ExpiresAt { get; init; }
}
