namespace LlmCost.Sdk.Cli;

/// <summary>One amount of a provider's cost report: a UTC day, the model it names (if any) and USD.</summary>
internal sealed record ProviderCostLine(DateOnly Day, string? Model, decimal Amount, string? LineItem);
