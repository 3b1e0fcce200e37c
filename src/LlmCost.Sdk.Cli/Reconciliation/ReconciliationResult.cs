namespace LlmCost.Sdk.Cli;

/// <summary>What <c>llmcost reconcile</c> found: per day and model, per day, per model and in all.</summary>
internal sealed record ReconciliationResult(
    string Provider,
    DateOnly From,
    DateOnly To,
    decimal TolerancePercent,
    decimal ToleranceUsd,
    IReadOnlyList<ReconciliationRow> Rows,
    IReadOnlyList<ReconciliationRow> Days,
    IReadOnlyList<ReconciliationRow> Models,
    ReconciliationRow Total,
    long UnpricedCalls)
{
    public IReadOnlyList<ReconciliationRow> FlaggedDays => [.. Days.Where(d => d.BeyondTolerance)];
}
