namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>Calendar windows in a time zone (day boundaries, daylight saving, month ends, weeks from Monday) and rolling windows.</summary>
public sealed class BudgetWindowTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void At_DayInBerlin_AlignedToLocalMidnight()
    {
        var before = BudgetWindow.At(BudgetWindowKind.Day, default, Berlin, new DateTimeOffset(2026, 11, 30, 22, 59, 0, TimeSpan.Zero));
        var after = BudgetWindow.At(BudgetWindowKind.Day, default, Berlin, new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 11, 29, 23, 0, 0, TimeSpan.Zero), before.Start);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero), before.End);
        Assert.Equal(before.End, after.Start);
        Assert.NotEqual(before.Id, after.Id);
    }

    [Fact]
    public void At_DaylightSavingDayInNewYork_Has23Hours()
    {
        var window = BudgetWindow.At(BudgetWindowKind.Day, default, NewYork, new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 3, 8, 5, 0, 0, TimeSpan.Zero), window.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 4, 0, 0, TimeSpan.Zero), window.End);
    }

    [Theory]
    [InlineData("2026-01-31T22:59:00Z", "2025-12-31T23:00:00Z", "2026-01-31T23:00:00Z")]
    [InlineData("2026-01-31T23:00:00Z", "2026-01-31T23:00:00Z", "2026-02-28T23:00:00Z")]
    [InlineData("2028-02-29T12:00:00Z", "2028-01-31T23:00:00Z", "2028-02-29T23:00:00Z")]
    [InlineData("2026-03-31T21:59:00Z", "2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z")]
    public void At_MonthInBerlin_MonthEnds(string now, string start, string end)
    {
        var window = BudgetWindow.At(BudgetWindowKind.Month, default, Berlin, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), window.Start);
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), window.End);
    }

    [Fact]
    public void At_Week_StartsMonday()
    {
        // Sunday 2026-11-29 in UTC belongs to the week of Monday 2026-11-23.
        var window = BudgetWindow.At(BudgetWindowKind.Week, default, TimeZoneInfo.Utc, new DateTimeOffset(2026, 11, 29, 23, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero), window.Start);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), window.End);
    }

    [Fact]
    public void At_Rolling_TwentySlicesEndingAfterNow()
    {
        var now = new DateTimeOffset(2026, 11, 30, 12, 7, 0, TimeSpan.Zero);
        var window = BudgetWindow.At(BudgetWindowKind.Rolling, TimeSpan.FromHours(1), TimeZoneInfo.Utc, now);

        Assert.Equal(20, window.Buckets.Count);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 12, 9, 0, TimeSpan.Zero), window.End); // 3-minute slices
        Assert.Equal(window.End - TimeSpan.FromHours(1), window.Start);
        Assert.Equal(window.Buckets[^1], window.Current.Name);
        var later = BudgetWindow.At(BudgetWindowKind.Rolling, TimeSpan.FromHours(1), TimeZoneInfo.Utc, now.AddMinutes(3));
        Assert.Equal(window.Buckets.Skip(1), later.Buckets.Take(19));
    }

    [Theory]
    [InlineData("Day", true)]
    [InlineData("week", true)]
    [InlineData("Month", true)]
    [InlineData("01:00:00", true)]
    [InlineData("7.00:00:00", true)]
    [InlineData("Rolling", false)]
    [InlineData("00:00:00", false)]
    [InlineData("Fortnight", false)]
    public void ParseWindow_Values(string value, bool valid) =>
        Assert.Equal(valid, CompiledBudget.ParseWindow(value) is not null);
}
