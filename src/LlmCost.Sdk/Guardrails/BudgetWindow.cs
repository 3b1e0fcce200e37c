using System.Globalization;

namespace LlmCost.Sdk;

/// <summary>
/// A budget's window at one instant: its start and end, the buckets whose spend makes it up, and the bucket a call's
/// spend goes into. Calendar windows (day, week from Monday, month) are aligned in the budget's time zone; a rolling
/// window is the last duration up to now, counted in <see cref="RollingSlices"/> slices.
/// </summary>
internal sealed class BudgetWindow
{
    public const int RollingSlices = 20;

    private BudgetWindow(DateTimeOffset start, DateTimeOffset end, string[] buckets, BudgetBucket current, DateTimeOffset currentFrom)
    {
        CurrentFrom = currentFrom;
        Start = start;
        End = end;
        Buckets = buckets;
        Current = current;
        CurrentOnly = [current];
    }

    public DateTimeOffset Start { get; }

    /// <summary>Gets the start of the current bucket: the window stays the same from here to <see cref="End"/>.</summary>
    public DateTimeOffset CurrentFrom { get; }

    public DateTimeOffset End { get; }

    public IReadOnlyList<string> Buckets { get; }

    public BudgetBucket Current { get; }

    /// <summary>Gets <see cref="Current"/> as a list of one (what a settlement adds to; made once per window).</summary>
    public IReadOnlyList<BudgetBucket> CurrentOnly { get; }

    /// <summary>Gets a stable id of the window (for alert markers).</summary>
    public string Id => Current.Name;

    public static BudgetWindow At(BudgetWindowKind kind, TimeSpan rolling, TimeZoneInfo zone, DateTimeOffset now)
    {
        if (kind == BudgetWindowKind.Rolling)
        {
            var slice = Math.Max(rolling.Ticks / RollingSlices, TimeSpan.TicksPerSecond);
            var index = now.UtcTicks / slice;
            var buckets = new string[RollingSlices];
            for (var i = 0; i < RollingSlices; i++)
            {
                buckets[i] = "r" + (index - RollingSlices + 1 + i).ToString(CultureInfo.InvariantCulture);
            }

            var start = new DateTimeOffset((index - RollingSlices + 1) * slice, TimeSpan.Zero);
            var end = new DateTimeOffset((index + 1) * slice, TimeSpan.Zero);
            return new BudgetWindow(start, end, buckets, new BudgetBucket(buckets[^1], end + TimeSpan.FromTicks(slice * RollingSlices)), new DateTimeOffset(index * slice, TimeSpan.Zero));
        }

        var (s, e) = Calendar(kind, zone, now);
        var name = kind switch
        {
            BudgetWindowKind.Day => "d",
            BudgetWindowKind.Week => "w",
            _ => "m",
        } + s.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
        return new BudgetWindow(s, e, [name], new BudgetBucket(name, e.AddMinutes(1)), s);
    }

    /// <summary>The calendar window around <paramref name="now"/> in <paramref name="zone"/>.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Calendar(BudgetWindowKind kind, TimeZoneInfo zone, DateTimeOffset now)
    {
        var day = TimeZoneInfo.ConvertTime(now, zone).Date;
        var (start, end) = kind switch
        {
            BudgetWindowKind.Day => (day, day.AddDays(1)),
            BudgetWindowKind.Week => (day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), day.AddDays(7 - (((int)day.DayOfWeek + 6) % 7))),
            _ => (new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Unspecified), new DateTime(day.Year, day.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1)),
        };
        return (Local(start, zone), Local(end, zone));
    }

    /// <summary>The day bucket of the anomaly alert (one per local day), for the day <paramref name="daysBack"/> before now.</summary>
    public static string DayBucket(TimeZoneInfo zone, DateTimeOffset now, int daysBack) =>
        "a" + TimeZoneInfo.ConvertTime(now, zone).Date.AddDays(-daysBack).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>A local midnight as an instant; a midnight skipped by a daylight-saving change becomes the first valid time after it.</summary>
    private static DateTimeOffset Local(DateTime local, TimeZoneInfo zone)
    {
        var t = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(t))
        {
            t = t.AddMinutes(30);
        }

        return new DateTimeOffset(t, zone.GetUtcOffset(t));
    }
}
