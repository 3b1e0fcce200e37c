namespace LlmCost.Sdk.Reporting;

/// <summary>One day of the daily spend chart.</summary>
public sealed record DailySpend
{
    /// <summary>Gets the day, in the report's time zone.</summary>
    public required DateOnly Date { get; init; }

    /// <summary>Gets the day's spend.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets the day's calls.</summary>
    public long Calls { get; init; }

    /// <summary>Gets the day's spend per chart series, in the order of <see cref="CostReport.ChartSeries"/>.</summary>
    public required IReadOnlyList<decimal> Series { get; init; }

    /// <summary>Gets the forecast's expected spend for a day after the as-of day, otherwise <see langword="null"/>.</summary>
    public decimal? Forecast { get; init; }
}
