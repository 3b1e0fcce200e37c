namespace LlmCost.Sdk.Reporting;

/// <summary>What <see cref="CostReportBuilder"/> reports: the period, the time zone its days are in, the grouping and the fixed costs.</summary>
public sealed class CostReportOptions
{
    /// <summary>Gets the first day of the period (inclusive), in <see cref="TimeZone"/>.</summary>
    /// <value>The default value is <see langword="null"/>: the first day of the current month.</value>
    public DateOnly? From { get; init; }

    /// <summary>Gets the last day of the period (inclusive), in <see cref="TimeZone"/>.</summary>
    /// <value>The default value is <see langword="null"/>: today.</value>
    public DateOnly? To { get; init; }

    /// <summary>Gets the time zone whose calendar days the report uses (days, weeks, months, the forecast).</summary>
    /// <value>The default value is <see cref="TimeZoneInfo.Utc"/>.</value>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>Gets the dimensions of the main table (and of the CSV output), such as feature then team.</summary>
    /// <value>The default value is <see cref="CostDimension.Feature"/> alone.</value>
    public IReadOnlyList<CostDimension> GroupBy { get; init; } = [CostDimension.Feature];

    /// <summary>Gets the dimension the daily spend chart is stacked by.</summary>
    /// <value>The default value is <see langword="null"/>: the first of <see cref="GroupBy"/>.</value>
    public CostDimension? ChartBy { get; init; }

    /// <summary>Gets the fixed monthly costs (seats, provisioned throughput, a GPU bill) to allocate to the groups by token share.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<FixedCostLine> FixedCosts { get; init; } = [];

    /// <summary>
    /// Gets the number of trailing days an anomaly day is compared with (median and MAD of the days of the same kind in
    /// it: weekdays for a weekday, weekend days for a weekend day; at least 4 of them).
    /// </summary>
    /// <value>The default value is 28 (20 weekdays and 8 weekend days).</value>
    public int AnomalyWindowDays { get; init; } = 28;

    /// <summary>Gets the robust z-score (0.6745 × |spend − median| / MAD) above which a day is an anomaly.</summary>
    /// <value>The default value is 3.5 (Iglewicz and Hoaglin).</value>
    public decimal AnomalyThreshold { get; init; } = 3.5m;

    /// <summary>Gets the smallest change from the median, in USD, that can make a day an anomaly (so cents never alarm); also the smallest MAD used.</summary>
    /// <value>The default value is 0.01.</value>
    public decimal AnomalyMinimumChange { get; init; } = 0.01m;

    /// <summary>Gets the number of complete days before today whose spend sets the forecast's daily pace.</summary>
    /// <value>The default value is 28 (four of each weekday).</value>
    public int ForecastWindowDays { get; init; } = 28;

    /// <summary>Gets the most series the daily chart stacks; smaller groups are summed as <c>(other)</c>.</summary>
    /// <value>The default value is 8.</value>
    public int ChartSeries { get; init; } = 8;

    /// <summary>Gets the clock that says what "today" is.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
