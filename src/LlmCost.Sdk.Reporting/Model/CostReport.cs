namespace LlmCost.Sdk.Reporting;

/// <summary>Where the money went: every section of a spend report, made by <see cref="CostReportBuilder"/> and written by <see cref="CostReportWriter"/>.</summary>
public sealed record CostReport
{
    /// <summary>Gets the first day of the period (inclusive).</summary>
    public required DateOnly From { get; init; }

    /// <summary>Gets the last day of the period (inclusive).</summary>
    public required DateOnly To { get; init; }

    /// <summary>Gets the IANA id of the time zone the days are in.</summary>
    public required string TimeZone { get; init; }

    /// <summary>Gets the day the summary is as of: today when the period includes it, otherwise the period's last day.</summary>
    public required DateOnly AsOf { get; init; }

    /// <summary>Gets when the report was made.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>Gets the dimensions of <see cref="Groups"/>.</summary>
    public required IReadOnlyList<CostDimension> GroupBy { get; init; }

    /// <summary>Gets the sums over the whole period.</summary>
    public required CostGroup Total { get; init; }

    /// <summary>Gets today, yesterday, the week over week change, month to date and the month-end forecast.</summary>
    public required SpendSummary Summary { get; init; }

    /// <summary>Gets the period's spend per group of <see cref="GroupBy"/>, most expensive first.</summary>
    public required IReadOnlyList<CostGroup> Groups { get; init; }

    /// <summary>Gets one table per single dimension (provider, model, feature, team, customer, environment).</summary>
    public required IReadOnlyList<CostDimensionTable> Breakdowns { get; init; }

    /// <summary>Gets the groups of <see cref="GroupBy"/> whose spend changed most: the last 7 days (to <see cref="AsOf"/>) against the 7 days before.</summary>
    public required IReadOnlyList<CostMover> TopMovers { get; init; }

    /// <summary>Gets the change from the 7 days before to the last 7 days, split into more calls, more tokens per call, and price and mix.</summary>
    public required ChangeDecomposition WeekOverWeek { get; init; }

    /// <summary>Gets the daily spend, stacked by <see cref="ChartBy"/>, with the forecast's expected days.</summary>
    public required IReadOnlyList<DailySpend> Daily { get; init; }

    /// <summary>Gets the dimension <see cref="Daily"/> is stacked by.</summary>
    public required CostDimension ChartBy { get; init; }

    /// <summary>Gets the names of the chart's series, in stacking order (the values of <see cref="ChartBy"/>, then <c>(other)</c>).</summary>
    public required IReadOnlyList<string> ChartSeries { get; init; }

    /// <summary>Gets the days whose spend was far from the usual, per scope.</summary>
    public required IReadOnlyList<CostAnomaly> Anomalies { get; init; }

    /// <summary>Gets the spend of calls with no feature.</summary>
    public required UntaggedSpend Untagged { get; init; }

    /// <summary>Gets the calls without a cost (<c>cost: null</c>), per provider and model: their spend is unknown, not $0.</summary>
    public required IReadOnlyList<UnpricedModel> Unpriced { get; init; }

    /// <summary>Gets how the fixed costs were shared among the groups.</summary>
    public required IReadOnlyList<FixedCostAllocation> FixedCosts { get; init; }

    /// <summary>Gets the fixed costs of the period (the sum of <see cref="FixedCosts"/>).</summary>
    public decimal FixedCostTotal { get; init; }

    /// <summary>Gets what the period cost in all: the records' cost plus the fixed costs.</summary>
    public decimal GrandTotal => Total.Cost + FixedCostTotal;
}
