namespace LlmCost.Sdk.Reporting;

/// <summary>The spend of calls that carry no feature: the part of the bill nobody can be asked about.</summary>
public sealed record UntaggedSpend
{
    /// <summary>Gets the number of calls without a feature.</summary>
    public long Calls { get; init; }

    /// <summary>Gets their spend.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets their share of the period's spend, from 0 to 1.</summary>
    public decimal Share { get; init; }
}
