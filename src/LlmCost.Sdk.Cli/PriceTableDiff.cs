using System.Globalization;

namespace LlmCost.Sdk.Cli;

/// <summary>The differences between two price tables, one line each: <c>+</c> added, <c>-</c> removed, <c>~</c> changed.</summary>
internal static class PriceTableDiff
{
    public static List<string> Compare(PriceTable before, PriceTable after)
    {
        var lines = new List<string>();
        var old = before.Entries.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var current = after.Entries.ToDictionary(e => e.Id, StringComparer.Ordinal);
        foreach (var id in old.Keys.Union(current.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var had = old.TryGetValue(id, out var a);
            var has = current.TryGetValue(id, out var b);
            if (!had)
            {
                lines.Add($"+ {id}: new entry, {Describe(b!.Periods[^1])} from {Day(b.Periods[^1].EffectiveFromUtc)}");
                continue;
            }

            if (!has)
            {
                lines.Add($"- {id}: removed");
                continue;
            }

            var oldPeriods = a!.Periods.ToDictionary(p => p.EffectiveFromUtc);
            var newPeriods = b!.Periods.ToDictionary(p => p.EffectiveFromUtc);
            foreach (var from in oldPeriods.Keys.Union(newPeriods.Keys).Order())
            {
                var hadPeriod = oldPeriods.TryGetValue(from, out var p0);
                var hasPeriod = newPeriods.TryGetValue(from, out var p1);
                if (!hadPeriod)
                {
                    lines.Add($"+ {id} from {Day(from)}: new period, {Describe(p1!)}");
                }
                else if (!hasPeriod)
                {
                    lines.Add($"- {id} from {Day(from)}: period removed");
                }
                else
                {
                    var changes = Changes(p0!, p1!);
                    if (changes.Count > 0)
                    {
                        lines.Add($"~ {id} from {Day(from)}: {string.Join(", ", changes)}");
                    }
                }
            }

            var addedAliases = b.Aliases.Except(a.Aliases, StringComparer.OrdinalIgnoreCase).ToList();
            var removedAliases = a.Aliases.Except(b.Aliases, StringComparer.OrdinalIgnoreCase).ToList();
            if (addedAliases.Count > 0 || removedAliases.Count > 0)
            {
                lines.Add($"~ {id}: aliases {string.Join(" ", addedAliases.Select(x => "+" + x).Concat(removedAliases.Select(x => "-" + x)))}");
            }
        }

        return lines;
    }

    private static List<string> Changes(PricePeriod a, PricePeriod b)
    {
        var changes = new List<string>();
        CompareTiered(changes, string.Empty, a.Rates, b.Rates);
        Compare(changes, "web search", a.WebSearch, b.WebSearch);
        Compare(changes, "regional uplift", a.RegionalUplift, b.RegionalUplift);
        foreach (var tier in a.ServiceTiers.Keys.Union(b.ServiceTiers.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var had = a.ServiceTiers.TryGetValue(tier, out var r0);
            var has = b.ServiceTiers.TryGetValue(tier, out var r1);
            if (!had || !has)
            {
                changes.Add($"tier {tier} {(had ? "removed" : "added")}");
                continue;
            }

            CompareTiered(changes, $"tier {tier} ", r0!, r1!);
        }

        var windowsBefore = string.Join(";", a.Windows.Select(Window));
        var windowsAfter = string.Join(";", b.Windows.Select(Window));
        if (!string.Equals(windowsBefore, windowsAfter, StringComparison.Ordinal))
        {
            changes.Add("time-of-day windows changed");
        }

        return changes;
    }

    private static void CompareTiered(List<string> changes, string prefix, TieredPriceRates a, TieredPriceRates b)
    {
        CompareRates(changes, prefix, a.Base, b.Base);
        var longBefore = string.Join(";", a.LongContext.Select(l => $"{l.AboveInputTokens}:{l.Rates.Input}/{l.Rates.Output}"));
        var longAfter = string.Join(";", b.LongContext.Select(l => $"{l.AboveInputTokens}:{l.Rates.Input}/{l.Rates.Output}"));
        if (!string.Equals(longBefore, longAfter, StringComparison.Ordinal))
        {
            changes.Add(prefix + "long-context tiers changed");
        }
    }

    private static void CompareRates(List<string> changes, string prefix, PriceRates a, PriceRates b)
    {
        Compare(changes, prefix + "input", a.Input, b.Input);
        Compare(changes, prefix + "cached input", a.CachedInput, b.CachedInput);
        Compare(changes, prefix + "cache write", a.CacheWrite, b.CacheWrite);
        Compare(changes, prefix + "cache write 1h", a.CacheWrite1h, b.CacheWrite1h);
        Compare(changes, prefix + "output", a.Output, b.Output);
        Compare(changes, prefix + "audio input", a.AudioInput, b.AudioInput);
        Compare(changes, prefix + "audio output", a.AudioOutput, b.AudioOutput);
        Compare(changes, prefix + "image input", a.ImageInput, b.ImageInput);
        Compare(changes, prefix + "image output", a.ImageOutput, b.ImageOutput);
    }

    private static string Window(PriceWindow w) =>
        $"{w.Start:HH\\:mm}-{w.End:HH\\:mm} {string.Join(",", w.Days)} {w.Rates.Base.Input}/{w.Rates.Base.Output} except {w.ExceptDates.Count}";

    private static void Compare(List<string> changes, string name, decimal? before, decimal? after)
    {
        if (before != after)
        {
            changes.Add($"{name} {Rate(before)} -> {Rate(after)}");
        }
    }

    private static string Describe(PricePeriod period) => $"input {Rate(period.Rates.Base.Input)}, output {Rate(period.Rates.Base.Output)} per 1M";

    private static string Rate(decimal? value) => value is { } v ? "$" + v.ToString("0.00####", CultureInfo.InvariantCulture) : "none";

    /// <summary>A period's start: the day, or the UTC instant for a period that starts during its day.</summary>
    private static string Day(DateTimeOffset start) =>
        start.UtcDateTime.TimeOfDay == TimeSpan.Zero
            ? start.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
