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
                lines.Add($"+ {id}: new entry, {Describe(b!.Periods[^1])} from {Day(b.Periods[^1].EffectiveFrom)}");
                continue;
            }

            if (!has)
            {
                lines.Add($"- {id}: removed");
                continue;
            }

            var oldPeriods = a!.Periods.ToDictionary(p => p.EffectiveFrom);
            var newPeriods = b!.Periods.ToDictionary(p => p.EffectiveFrom);
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
        Compare(changes, "input", a.Input, b.Input);
        Compare(changes, "cached input", a.CachedInput, b.CachedInput);
        Compare(changes, "cache write", a.CacheWrite, b.CacheWrite);
        Compare(changes, "cache write 1h", a.CacheWrite1h, b.CacheWrite1h);
        Compare(changes, "output", a.Output, b.Output);
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

            Compare(changes, $"tier {tier} input", r0!.Input, r1!.Input);
            Compare(changes, $"tier {tier} cached input", r0.CachedInput, r1.CachedInput);
            Compare(changes, $"tier {tier} output", r0.Output, r1.Output);
        }

        var longBefore = string.Join(";", a.LongContext.Select(l => $"{l.AboveInputTokens}:{l.Input}/{l.Output}"));
        var longAfter = string.Join(";", b.LongContext.Select(l => $"{l.AboveInputTokens}:{l.Input}/{l.Output}"));
        if (!string.Equals(longBefore, longAfter, StringComparison.Ordinal))
        {
            changes.Add("long-context tiers changed");
        }

        return changes;
    }

    private static void Compare(List<string> changes, string name, decimal? before, decimal? after)
    {
        if (before != after)
        {
            changes.Add($"{name} {Rate(before)} -> {Rate(after)}");
        }
    }

    private static string Describe(PricePeriod period) => $"input {Rate(period.Input)}, output {Rate(period.Output)} per 1M";

    private static string Rate(decimal? value) => value is { } v ? "$" + v.ToString("0.00####", CultureInfo.InvariantCulture) : "none";

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
