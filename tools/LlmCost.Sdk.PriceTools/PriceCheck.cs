using System.Globalization;
using System.Text.Json;

namespace LlmCost.Sdk.PriceTools;

/// <summary>
/// <c>check</c>: compares the embedded price table with a newer genai-prices snapshot (through the same overrides) and,
/// optionally, with LiteLLM's price map, and lists every model whose rate differs or that one side lacks — the check a
/// maintainer runs before each release. The CLI can mount it as <c>llmcost prices check</c>.
/// </summary>
public static class PriceCheck
{
    /// <summary>Runs the check.</summary>
    /// <param name="args">
    /// <c>--genai-prices &lt;snapshot.json&gt;</c> (from <c>dump-genai-prices.cjs</c>) and/or <c>--litellm &lt;file&gt;</c>;
    /// <c>--table &lt;prices.json&gt;</c> (default: the table embedded in the SDK), <c>--overrides &lt;file&gt;</c> (default: the
    /// repository's), <c>--at yyyy-MM-dd</c> (the day whose rates are compared with LiteLLM's; default today, UTC).
    /// </param>
    /// <param name="output">Where the findings are written, one per line.</param>
    /// <returns>0 when nothing differs, 1 when something does, 2 on a usage or data error.</returns>
    public static int Check(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (PriceGenerationException ex)
        {
            output.WriteLine("error: " + ex.Message);
            return 2;
        }

        var genai = options.Get("--genai-prices");
        var litellm = options.Get("--litellm");
        if (genai is null && litellm is null)
        {
            output.WriteLine("usage: check --genai-prices <snapshot.json> [--litellm <model_prices_and_context_window.json>] [--table <prices.json>] [--overrides <overrides.json>] [--at yyyy-MM-dd]");
            return 2;
        }

        try
        {
            var table = options.Get("--table") is { } tablePath ? PriceTable.Load(File.OpenRead(tablePath)) : PriceTable.Default;
            var findings = 0;
            if (genai is not null)
            {
                findings += CompareWithGenai(table, File.ReadAllText(genai), ReadOverrides(options.Get("--overrides")), output);
            }

            if (litellm is not null)
            {
                var at = options.Get("--at") is { } atText ? ParseAt(atText) : TimeProvider.System.GetUtcNow();
                findings += CompareWithLiteLlm(table, LiteLlmPriceImporter.ImportFile(litellm), at, output);
            }

            output.WriteLine(findings == 0 ? "No differences." : $"{findings} difference(s).");
            return findings == 0 ? 0 : 1;
        }
        catch (Exception ex) when (ex is PriceGenerationException or PriceTableException or IOException or JsonException or FormatException)
        {
            output.WriteLine("error: " + ex.Message);
            return 2;
        }
    }

    /// <summary>
    /// The overrides: the file given, else the repository's (when run from a clone), else the copy embedded in this
    /// assembly at build time (the installed <c>llmcost</c> tool has no repository around it).
    /// </summary>
    private static string ReadOverrides(string? path)
    {
        if (path is not null)
        {
            return File.ReadAllText(path);
        }

        string? root = null;
        try
        {
            root = PriceTableGenerator.RepositoryRoot();
        }
        catch (PriceGenerationException)
        {
            // Not inside a clone: fall back to the embedded copy.
        }

        if (root is not null && File.Exists(Path.Combine(root, PriceTableGenerator.DefaultOverrides)))
        {
            return File.ReadAllText(Path.Combine(root, PriceTableGenerator.DefaultOverrides));
        }

        using var stream = typeof(PriceCheck).Assembly.GetManifestResourceStream(EmbeddedOverrides)
            ?? throw new PriceGenerationException("No overrides file found; pass --overrides <overrides.json>.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The name of the overrides file embedded in the assembly that compiles this class.</summary>
    internal const string EmbeddedOverrides = "LlmCost.Sdk.PriceTools.overrides.json";

    /// <summary>The table the snapshot gives through the overrides, entry by entry and period by period, against the table.</summary>
    private static int CompareWithGenai(PriceTable table, string snapshotJson, string overridesJson, TextWriter output)
    {
        var candidate = PriceTable.Parse(PriceTableGenerator.Generate(snapshotJson, overridesJson));
        var findings = 0;
        foreach (var entry in table.Entries)
        {
            var other = candidate.Find(entry.Id);
            if (other is null)
            {
                output.WriteLine($"genai-prices lacks   {entry.Id}");
                findings++;
            }
            else if (Describe(entry) is var mine && Describe(other) is var theirs && mine != theirs)
            {
                output.WriteLine($"genai-prices differs {entry.Id}: table {mine}; snapshot {theirs}");
                findings++;
            }
        }

        foreach (var entry in candidate.Entries.Where(e => table.Find(e.Id) is null))
        {
            output.WriteLine($"table lacks          {entry.Id} (in genai-prices: {Describe(entry)})");
            findings++;
        }

        // Each override against what the snapshot alone now says, so a maintainer sees which overrides are still needed.
        using var overrides = JsonDocument.Parse(overridesJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var withoutEntries = overridesJson.Replace("\"entries\"", "\"entries-ignored\"", StringComparison.Ordinal);
        var raw = TryGenerateWithoutEntryOverrides(snapshotJson, withoutEntries);
        foreach (var item in overrides.RootElement.GetProperty("entries").EnumerateArray())
        {
            var id = item.GetProperty("provider").GetString() + "/" + item.GetProperty("model").GetString();
            var snapshotSays = raw?.Find(id) is { } e ? Describe(e) : "nothing";
            output.WriteLine($"override             {id}: {item.GetProperty("reason").GetString()} (snapshot alone: {snapshotSays})");
        }

        return findings;
    }

    private static PriceTable? TryGenerateWithoutEntryOverrides(string snapshotJson, string overridesJson)
    {
        // The generator needs an 'entries' array; with none, it prices the snapshot as it is.
        var json = overridesJson.TrimEnd();
        json = json[..json.LastIndexOf('}')] + ", \"entries\": [] }";
        try
        {
            return PriceTable.Parse(PriceTableGenerator.Generate(snapshotJson, json));
        }
        catch (PriceGenerationException)
        {
            return null;
        }
    }

    /// <summary>A day (00:00 UTC) or a UTC instant.</summary>
    private static DateTimeOffset ParseAt(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
                ? instant
                : throw new FormatException($"--at: '{text}' is neither a date (yyyy-MM-dd) nor a UTC instant (yyyy-MM-ddTHH:mm:ssZ).");

    private static int CompareWithLiteLlm(PriceTable table, PriceTable litellm, DateTimeOffset at, TextWriter output)
    {
        var findings = 0;
        var matched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in litellm.Entries)
        {
            if (!table.TryGetEntry(entry.Provider, entry.Model, out var ours))
            {
                output.WriteLine($"table lacks          {entry.Id} (in LiteLLM: {Rates(entry.Periods[0].Rates.Base)})");
                findings++;
                continue;
            }

            matched.Add(ours.Id);
            var period = ours.PeriodAt(at);
            var moment = at.UtcDateTime.ToString(at.UtcDateTime.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var mine = Rates(period.Rates.Base);
            var theirs = Rates(entry.Periods[0].Rates.Base);
            if (mine != theirs)
            {
                output.WriteLine($"LiteLLM differs      {entry.Id} (table {ours.Id} on {moment}): table {mine}; LiteLLM {theirs}");
                findings++;
            }

            // Service tiers LiteLLM lists (its _batches, _flex and _priority rates): the table must price each the same.
            foreach (var (tier, rates) in entry.Periods[0].ServiceTiers.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                var tierTheirs = Rates(rates.Base);
                var tierMine = period.ServiceTiers.TryGetValue(tier, out var own) ? Rates(own.Base) : null;
                if (tierMine != tierTheirs)
                {
                    output.WriteLine($"LiteLLM tier differs {entry.Id} '{tier}' (table {ours.Id} on {moment}): table {tierMine ?? "no such tier (base rates)"}; LiteLLM {tierTheirs}");
                    findings++;
                }
            }

            if (entry.MaxOutputTokens is { } theirMax && ours.MaxOutputTokens is { } myMax && theirMax != myMax)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LiteLLM max differs  {entry.Id} (table {ours.Id}): table {myMax} output tokens; LiteLLM {theirMax}"));
                findings++;
            }
        }

        foreach (var entry in table.Entries.Where(e => !matched.Contains(e.Id)))
        {
            output.WriteLine($"LiteLLM lacks        {entry.Id}");
            findings++;
        }

        return findings;
    }

    private static string Describe(PriceEntry entry) =>
        (entry.MaxOutputTokens is { } max ? string.Create(CultureInfo.InvariantCulture, $"max output {max} | ") : "")
        + string.Join(" | ", entry.Periods.Select(p => $"from {PriceTableJson.Start(p)}: {Rates(p.Rates.Base)}"
            + (p.Rates.LongContext.Count > 0 ? " +" + string.Join(",", p.Rates.LongContext.Select(t => $">{t.AboveInputTokens}: {Rates(t.Rates)}")) : "")
            + (p.Windows.Count > 0 ? " windows " + string.Join(",", p.Windows.Select(w => $"{w.Start:HH\\:mm}-{w.End:HH\\:mm}{(w.Days.Count > 0 ? " " + string.Join("/", w.Days.Select(d => d.ToString()[..3])) : "")}: {Rates(w.Rates.Base)}")) : "")
            + (p.ServiceTiers.Count > 0 ? " tiers " + string.Join(",", p.ServiceTiers.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}: {Rates(t.Value.Base)}")) : "")));

    private static string Rates(PriceRates r) =>
        string.Create(CultureInfo.InvariantCulture, $"in {N(r.Input)} cached {N(r.CachedInput)} write {N(r.CacheWrite)} out {N(r.Output)}")
        + (r.AudioInput is not null || r.AudioOutput is not null ? string.Create(CultureInfo.InvariantCulture, $" audio {N(r.AudioInput)}/{N(r.AudioOutput)}") : "");

    private static string N(decimal? value) => value is { } v ? PriceTableJson.Normalize(v).ToString(CultureInfo.InvariantCulture) : "-";
}
