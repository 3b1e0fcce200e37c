namespace LlmCost.Sdk.Reporting;

/// <summary>
/// Where the month will land: month to date plus, for each day left, the average spend of the same kind of day
/// (weekday or weekend) over the recent complete days.
/// </summary>
public sealed record MonthForecast
{
    /// <summary>Gets the forecast spend of the whole month in USD.</summary>
    public decimal MonthEnd { get; init; }

    /// <summary>Gets the average spend of a weekday (Monday to Friday) over the window.</summary>
    public decimal WeekdayPace { get; init; }

    /// <summary>Gets the average spend of a weekend day over the window.</summary>
    public decimal WeekendPace { get; init; }

    /// <summary>Gets the weekdays left in the month after the as-of day.</summary>
    public int WeekdaysLeft { get; init; }

    /// <summary>Gets the weekend days left in the month after the as-of day.</summary>
    public int WeekendDaysLeft { get; init; }

    /// <summary>Gets the first day of the window the paces come from, or <see langword="null"/> when there was no history.</summary>
    public DateOnly? WindowFrom { get; init; }

    /// <summary>Gets the last day of the window (the day before the as-of day).</summary>
    public DateOnly? WindowTo { get; init; }

    /// <summary>Gets the method in words, with the numbers, for the report's reader.</summary>
    public required string Method { get; init; }
}
