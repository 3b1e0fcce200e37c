namespace LlmCost.Sdk.Cli;

/// <summary>
/// One comparison: what the provider billed, what the records say, and the variance (records − provider) in USD and in
/// percent of the provider's amount. Beyond tolerance when both the dollar and the percent limits are exceeded.
/// </summary>
internal sealed record ReconciliationRow(string? Day, string? Model, decimal Provider, decimal Records, decimal Variance, decimal? VariancePercent, bool BeyondTolerance);
