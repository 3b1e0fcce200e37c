namespace LlmCost.Sdk.Reporting;

/// <summary>
/// A change of spend between two periods split into three parts that add up exactly (in <see cref="decimal"/>) to the
/// change: more or fewer calls, more or fewer tokens per call, and the price per token (price changes and a different
/// model mix).
/// </summary>
/// <remarks>
/// With N calls, T tokens per call and P cost per token (cost C = N·T·P) in the base (0) and current (1) periods:
/// <c>Volume = C0·(N1 − N0)/N0</c>, <c>TokensPerCall = C0·(N1/N0)·(T1 − T0)/T0</c>, and
/// <c>PriceAndMix = C1 − C0·(N1·T1)/(N0·T0)</c>, which is N1·T1·(P1 − P0), computed as the change minus the first two
/// so the three sum exactly. With no base calls the whole change is volume; with no base tokens, none of it is tokens per call.
/// </remarks>
public sealed record ChangeDecomposition
{
    /// <summary>Gets the first day of the base period.</summary>
    public required DateOnly BaseFrom { get; init; }

    /// <summary>Gets the last day of the base period.</summary>
    public required DateOnly BaseTo { get; init; }

    /// <summary>Gets the first day of the current period.</summary>
    public required DateOnly CurrentFrom { get; init; }

    /// <summary>Gets the last day of the current period.</summary>
    public required DateOnly CurrentTo { get; init; }

    /// <summary>Gets the base period's spend.</summary>
    public decimal BaseCost { get; init; }

    /// <summary>Gets the current period's spend.</summary>
    public decimal CurrentCost { get; init; }

    /// <summary>Gets the base period's calls.</summary>
    public long BaseCalls { get; init; }

    /// <summary>Gets the current period's calls.</summary>
    public long CurrentCalls { get; init; }

    /// <summary>Gets the base period's input and output tokens.</summary>
    public long BaseTokens { get; init; }

    /// <summary>Gets the current period's input and output tokens.</summary>
    public long CurrentTokens { get; init; }

    /// <summary>Gets the part of the change due to the number of calls.</summary>
    public decimal Volume { get; init; }

    /// <summary>Gets the part of the change due to the tokens per call.</summary>
    public decimal TokensPerCall { get; init; }

    /// <summary>Gets the part of the change due to the cost per token: price changes and model mix.</summary>
    public decimal PriceAndMix { get; init; }

    /// <summary>Gets the whole change: <see cref="CurrentCost"/> minus <see cref="BaseCost"/>, equal to the sum of the three parts.</summary>
    public decimal Change => CurrentCost - BaseCost;
}
