namespace LlmCost.Sdk.Reporting;

/// <summary>The headline numbers of a report, as of <see cref="CostReport.AsOf"/>.</summary>
public sealed record SpendSummary
{
    /// <summary>Gets the spend of the as-of day (partial when it is today).</summary>
    public decimal Today { get; init; }

    /// <summary>Gets the spend of the day before.</summary>
    public decimal Yesterday { get; init; }

    /// <summary>Gets the spend of this week (Monday to the as-of day).</summary>
    public decimal ThisWeek { get; init; }

    /// <summary>Gets the spend of last week from Monday to the same weekday, so the two weeks compare like for like.</summary>
    public decimal LastWeek { get; init; }

    /// <summary>Gets <see cref="ThisWeek"/> minus <see cref="LastWeek"/>.</summary>
    public decimal WeekChange => ThisWeek - LastWeek;

    /// <summary>Gets the week's change in percent of last week, or <see langword="null"/> when last week spent nothing.</summary>
    public decimal? WeekChangePercent => LastWeek == 0 ? null : decimal.Round(WeekChange / LastWeek * 100m, 2);

    /// <summary>Gets the spend of the month to the as-of day.</summary>
    public decimal MonthToDate { get; init; }

    /// <summary>Gets the month-end forecast.</summary>
    public required MonthForecast Forecast { get; init; }
}
