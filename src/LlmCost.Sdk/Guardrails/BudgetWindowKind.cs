namespace LlmCost.Sdk;

/// <summary>The kind of a budget's window.</summary>
internal enum BudgetWindowKind
{
    Day,
    Week,
    Month,
    Rolling,
}
