namespace LlmCost.Sdk;

/// <summary>One scope of a budget: the store key and the scope fields with the call's values.</summary>
internal sealed record BudgetScope(CompiledBudget Budget, string Key, IReadOnlyDictionary<string, string> Values);
