namespace LlmCost.Sdk;

/// <summary>The names of the budgets registered in a service collection (code and configuration).</summary>
internal sealed class BudgetNames
{
    public List<string> Names { get; } = [];
}
