using System.Globalization;

namespace LlmCost.Sdk.Sample;

/// <summary>Prints spend tables from <see cref="CostRecord"/>s: the kind of report the records make easy.</summary>
internal static class CostReport
{
    private const string Row = "  {0,-38} {1,5} {2,9} {3,9} {4,9} {5,8} {6,11} {7,5}";

    public static void Print(IReadOnlyList<CostRecord> records, TextWriter output)
    {
        // A tag that no source set (request, scope, client defaults, options) is null; it shows here as "(none)".
        PrintTable(output, records, "feature", r => r.Tags.Feature);
        PrintTable(output, records, "team", r => r.Tags.Team);
        PrintTable(output, records, "customer", r => r.Tags.Customer);
        PrintTable(output, records, "provider / model", r => $"{r.Provider} / {r.Model ?? r.RequestModel ?? "(unknown)"}");

        // A record has a null Cost when its model is not in the price table; its tokens are still recorded.
        var unpriced = records.Count(r => r.Cost is null && r.Usage.Source != UsageSource.None);
        if (unpriced > 0)
        {
            output.WriteLine($"Note: {unpriced} call(s) had no price (model not in the price table) and count as $0 above.");
        }

        // Usage.Source says where the token counts came from: the provider's report, an estimate, or nothing at all
        // (a failed call, or a body that was never read).
        var withoutUsage = records.Count(r => r.Usage.Source == UsageSource.None);
        if (withoutUsage > 0)
        {
            output.WriteLine($"Note: {withoutUsage} call(s) reported no usage (failed, or the body was not read) and count as $0 above.");
        }
    }

    private static void PrintTable(TextWriter output, IReadOnlyList<CostRecord> records, string dimension, Func<CostRecord, string?> key)
    {
        var total = Spend(records);
        output.WriteLine($"Spend by {dimension}");
        var header = Format(dimension, "calls", "input", "cached", "cache-wr", "output", "cost (USD)", "share");
        var rule = "  " + new string('-', header.Length - 2);
        output.WriteLine(header);
        output.WriteLine(rule);
        foreach (var group in records.GroupBy(r => key(r) ?? "(none)").OrderByDescending(Spend).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine(Line(group.Key, [.. group], total));
        }

        output.WriteLine(rule);
        output.WriteLine(Line("total", records, total));
        output.WriteLine();
    }

    private static string Line(string name, IReadOnlyCollection<CostRecord> records, decimal total)
    {
        var spend = Spend(records);
        return Format(
            name,
            records.Count,
            Number(records.Sum(r => r.Usage.InputTokens)),
            Number(records.Sum(r => r.Usage.CachedInputTokens)),
            Number(records.Sum(r => r.Usage.CacheWriteInputTokens)),
            Number(records.Sum(r => r.Usage.OutputTokens)),
            "$" + spend.ToString("0.000000", CultureInfo.InvariantCulture),
            total == 0 ? "-" : (spend / total).ToString("0%", CultureInfo.InvariantCulture));
    }

    // Money is decimal in the SDK: sums are exact, with no floating-point drift.
    private static decimal Spend(IEnumerable<CostRecord> records) => records.Sum(r => r.Cost?.Total ?? 0m);

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Format(params object[] columns) => string.Format(CultureInfo.InvariantCulture, Row, columns);
}
