using System.Globalization;

namespace LlmCost.Sdk.Reporting;

/// <summary>How the human-readable outputs print numbers (invariant culture, so a report reads the same everywhere).</summary>
internal static class Format
{
    public const string NoValue = "(none)";

    public static string Money(decimal value) =>
        Math.Abs(value) >= 100m ? "$" + value.ToString("#,0.00", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1m ? "$" + value.ToString("0.00##", CultureInfo.InvariantCulture)
        : "$" + value.ToString("0.00####", CultureInfo.InvariantCulture);

    public static string SignedMoney(decimal value) => (value > 0 ? "+" : value < 0 ? "-" : string.Empty) + Money(Math.Abs(value));

    public static string Percent(decimal? value) => value is { } v ? v.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%" : "new";

    public static string Share(decimal share) => (share * 100m).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Key(string? value) => value ?? NoValue;

    public static string Keys(IReadOnlyList<string?> keys) => string.Join(" / ", keys.Select(Key));

    /// <summary>An exact decimal in invariant culture without trailing zeros (<c>0.00522</c>, <c>12</c>), for machine-read output.</summary>
    public static string Exact(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);
}
