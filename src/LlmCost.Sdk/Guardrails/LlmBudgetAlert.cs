namespace LlmCost.Sdk;

/// <summary>A budget alert, handed to every <see cref="ILlmBudgetAlertHandler"/>, logged and counted in the <c>llmcost.budget.alerts</c> metric.</summary>
public sealed record LlmBudgetAlert
{
    /// <summary>Gets the budget's name.</summary>
    public required string BudgetName { get; init; }

    /// <summary>Gets why the alert fired.</summary>
    public required LlmBudgetAlertKind Kind { get; init; }

    /// <summary>Gets the scope fields of the budget with this scope's values (such as <c>customer</c> = <c>acme</c>).</summary>
    public required IReadOnlyDictionary<string, string> Scope { get; init; }

    /// <summary>Gets the start of the window the alert is about.</summary>
    public DateTimeOffset WindowStart { get; init; }

    /// <summary>Gets the end of the window the alert is about (exclusive).</summary>
    public DateTimeOffset WindowEnd { get; init; }

    /// <summary>Gets the spend in USD the alert is about (the window's, or today's for an anomaly).</summary>
    public decimal Spent { get; init; }

    /// <summary>Gets the limit in USD, if any.</summary>
    public decimal? Limit { get; init; }

    /// <summary>Gets the threshold (a fraction of the limit) for a <see cref="LlmBudgetAlertKind.Threshold"/> alert.</summary>
    public decimal? Threshold { get; init; }

    /// <summary>Gets the spend projected to the window's end (pace), or the trailing mean times the factor (anomaly).</summary>
    public decimal? Reference { get; init; }
}
