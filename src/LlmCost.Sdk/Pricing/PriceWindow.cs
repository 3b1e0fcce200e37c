namespace LlmCost.Sdk;

/// <summary>
/// A time-of-day window in which other rates apply (DeepSeek's peak hours): from <see cref="Start"/> (inclusive) to
/// <see cref="End"/> (exclusive), in UTC, on <see cref="Days"/>. A window whose end is before its start wraps past midnight.
/// </summary>
public sealed record PriceWindow
{
    /// <summary>Gets the time of day, UTC, at which the window opens (inclusive).</summary>
    public TimeOnly Start { get; init; }

    /// <summary>Gets the time of day, UTC, at which the window closes (exclusive).</summary>
    public TimeOnly End { get; init; }

    /// <summary>
    /// Gets the UTC days of the week on which the window applies, by the day on which the call's time of day falls; empty
    /// for every day.
    /// </summary>
    public IReadOnlyList<DayOfWeek> Days { get; init; } = [];

    /// <summary>
    /// Gets the UTC dates on which the window does not apply (DeepSeek: Chinese public holidays are off-peak all day);
    /// empty for none.
    /// </summary>
    public IReadOnlyList<DateOnly> ExceptDates { get; init; } = [];

    /// <summary>Gets the rates inside the window.</summary>
    public required TieredPriceRates Rates { get; init; }

    /// <summary>Gets a value indicating whether a moment falls inside the window.</summary>
    /// <param name="timestamp">The moment of the call.</param>
    /// <returns><see langword="true"/> when the window's rates apply.</returns>
    public bool Contains(DateTimeOffset timestamp)
    {
        var utc = timestamp.UtcDateTime;
        var time = TimeOnly.FromDateTime(utc);
        var inside = Start <= End ? time >= Start && time < End : time >= Start || time < End;
        if (!inside)
        {
            return false;
        }

        if (ExceptDates.Count > 0 && ExceptDates.Contains(DateOnly.FromDateTime(utc)))
        {
            return false;
        }

        if (Days.Count == 0)
        {
            return true;
        }

        var day = utc.DayOfWeek;
        for (var i = 0; i < Days.Count; i++)
        {
            if (Days[i] == day)
            {
                return true;
            }
        }

        return false;
    }
}
