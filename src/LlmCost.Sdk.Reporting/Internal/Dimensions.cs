namespace LlmCost.Sdk.Reporting;

/// <summary>The names of the dimensions as in the JSON Lines record (<c>feature</c>, <c>team</c>, …).</summary>
internal static class Dimensions
{
    public static string Name(CostDimension dimension) => dimension switch
    {
        CostDimension.Provider => "provider",
        CostDimension.Model => "model",
        CostDimension.Feature => "feature",
        CostDimension.Team => "team",
        CostDimension.Customer => "customer",
        CostDimension.Environment => "environment",
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown dimension."),
    };
}
