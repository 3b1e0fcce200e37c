namespace LlmCost.Sdk.Cli;

/// <summary>Compares a provider's cost report with the records, per UTC day and model.</summary>
internal static class Reconciler
{
    /// <summary>The name of the row for provider amounts that name no model (web search, code execution, other line items).</summary>
    public const string NoModel = "(no model)";

    private static readonly System.Buffers.SearchValues<char> DateCharacters = System.Buffers.SearchValues.Create("0123456789-");

    public static async Task<ReconciliationResult> ReconcileAsync(
        string provider, IReadOnlyList<ProviderCostLine> lines, ICostRecordQuery records, decimal tolerancePercent, decimal toleranceUsd, CancellationToken cancellationToken)
    {
        if (lines.Count == 0)
        {
            throw new CliException(ExitCodes.InputError, "The export has no amounts to compare.");
        }

        var first = lines.Min(l => l.Day);
        var last = lines.Max(l => l.Day);
        var query = new CostAggregateQuery
        {
            From = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            To = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            GroupBy = [CostDimension.Provider, CostDimension.Model],
            BucketSize = TimeSpan.FromDays(1),
        };

        var exportModels = lines.Where(l => l.Model is not null).Select(l => l.Model!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var recorded = new Dictionary<(DateOnly, string), decimal>();
        var unpriced = 0L;
        await foreach (var aggregate in records.AggregateAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (!string.Equals(aggregate.Keys[0], provider, StringComparison.Ordinal))
            {
                continue;
            }

            var day = DateOnly.FromDateTime(aggregate.BucketStart.UtcDateTime);
            var model = MatchModel(aggregate.Keys[1], exportModels);
            recorded[(day, model)] = recorded.GetValueOrDefault((day, model)) + aggregate.Cost;
            unpriced += aggregate.UnpricedCalls;
        }

        var billed = lines.GroupBy(l => (l.Day, Model: l.Model ?? NoModel)).ToDictionary(g => (g.Key.Day, g.Key.Model), g => g.Sum(l => l.Amount));
        var keys = billed.Keys.Union(recorded.Keys).OrderBy(k => k.Item1).ThenBy(k => k.Item2, StringComparer.Ordinal).ToList();
        var rows = keys.Select(k => Row(k.Item1.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), k.Item2, billed.GetValueOrDefault(k), recorded.GetValueOrDefault(k), tolerancePercent, toleranceUsd)).ToList();
        var days = keys.Select(k => k.Item1).Distinct().Order()
            .Select(d => Row(d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), null, billed.Where(b => b.Key.Item1 == d).Sum(b => b.Value), recorded.Where(r => r.Key.Item1 == d).Sum(r => r.Value), tolerancePercent, toleranceUsd))
            .ToList();
        var models = keys.Select(k => k.Item2).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(m => Row(null, m, billed.Where(b => b.Key.Item2 == m).Sum(b => b.Value), recorded.Where(r => r.Key.Item2 == m).Sum(r => r.Value), tolerancePercent, toleranceUsd))
            .ToList();
        var total = Row(null, null, billed.Values.Sum(), recorded.Values.Sum(), tolerancePercent, toleranceUsd);
        return new ReconciliationResult(provider, first, last, tolerancePercent, toleranceUsd, rows, days, models, total, unpriced);
    }

    /// <summary>
    /// The export's name for a recorded model: the same name (any case), else the longest export name that the recorded
    /// one extends with a dash and a snapshot date (the export's <c>gpt-4o</c> for a record's <c>gpt-4o-2024-08-06</c>,
    /// the Anthropic Console's <c>Claude Haiku 4.5</c>, read as <c>claude-haiku-4-5</c>, for <c>claude-haiku-4-5-20251001</c>),
    /// else the record's own.
    /// </summary>
    internal static string MatchModel(string? recordModel, IReadOnlySet<string> exportModels)
    {
        if (recordModel is null)
        {
            return NoModel;
        }

        if (exportModels.Contains(recordModel))
        {
            return exportModels.First(m => string.Equals(m, recordModel, StringComparison.OrdinalIgnoreCase));
        }

        return exportModels
            .Where(m => recordModel.StartsWith(m + "-", StringComparison.OrdinalIgnoreCase) && IsVersionSuffix(recordModel.AsSpan(m.Length + 1)))
            .OrderByDescending(m => m.Length)
            .FirstOrDefault() ?? recordModel;
    }

    /// <summary>
    /// Whether what a record's model adds to an export's name is a snapshot date (<c>20250929</c>, <c>2024-08-06</c>) or
    /// <c>latest</c>, so the export's <c>claude-sonnet-4</c> takes <c>claude-sonnet-4-20250514</c> but not <c>claude-sonnet-4-5-20250929</c>.
    /// </summary>
    private static bool IsVersionSuffix(ReadOnlySpan<char> suffix)
    {
        if (suffix.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var firstPart = suffix.IndexOf('-') is var dash and >= 0 ? suffix[..dash] : suffix;
        return firstPart.Length >= 4 && !suffix.ContainsAnyExcept(DateCharacters);
    }

    private static ReconciliationRow Row(string? day, string? model, decimal provider, decimal records, decimal tolerancePercent, decimal toleranceUsd)
    {
        var variance = records - provider;
        decimal? percent = provider == 0 ? null : decimal.Round(variance / provider * 100m, 2);
        var beyond = Math.Abs(variance) > toleranceUsd && (percent is null || Math.Abs(percent.Value) > tolerancePercent);
        return new ReconciliationRow(day, model, provider, records, variance, percent, beyond);
    }
}
