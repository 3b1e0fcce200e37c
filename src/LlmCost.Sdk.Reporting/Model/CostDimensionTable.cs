namespace LlmCost.Sdk.Reporting;

/// <summary>The period's spend per value of one dimension.</summary>
public sealed record CostDimensionTable
{
    /// <summary>Gets the dimension.</summary>
    public required CostDimension Dimension { get; init; }

    /// <summary>Gets one row per value, most expensive first.</summary>
    public required IReadOnlyList<CostGroup> Rows { get; init; }
}
