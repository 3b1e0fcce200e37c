using System.Globalization;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// A versioned table of model prices: per provider and model, price periods by effective date, with aliases.
/// </summary>
/// <remarks>
/// The SDK embeds one (<see cref="Default"/>); applications can load their own with <see cref="Load(Stream)"/>
/// or extend it through <see cref="LlmCostOptions.Prices"/>. Invalid data throws <see cref="PriceTableException"/>
/// naming the entry, at load time. Lookups never throw, never allocate for a known id, and are thread-safe.
/// <para>
/// Model ids are matched exactly (ignoring case), then through the entries' aliases, then with a dated snapshot
/// suffix removed (<c>-2024-08-06</c>, <c>-20250929</c>), so a new snapshot of a known model is priced like it.
/// </para>
/// </remarks>
public sealed class PriceTable
{
    /// <summary>
    /// The schema version this SDK reads and writes: 2 adds service tiers, long-context tiers, per-request charges and
    /// regional uplifts; 3 adds time-of-day windows, audio and image rates and per-period sources. Schema 1 and 2 tables are read too.
    /// </summary>
    public const int SupportedSchemaVersion = 3;

    /// <summary>
    /// The largest rate accepted, per million tokens (or per 1,000 requests): 1,000,000. The most expensive published
    /// rate is under 1,000; a larger one is a unit or typing error. With it, no cost can overflow <see cref="decimal"/>.
    /// </summary>
    public const decimal MaxRate = 1_000_000m;

    /// <summary>The largest regional uplift accepted: 10.</summary>
    public const decimal MaxRegionalUplift = 10m;

    private const string ResourceName = "LlmCost.Sdk.Pricing.prices.json";
    private static readonly Lazy<PriceTable> DefaultTable = new(LoadEmbedded);

    private readonly Dictionary<string, PriceEntry> _byId;
    private readonly Dictionary<string, PriceEntry>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _modelIds;
    private readonly Dictionary<PricePeriod, PriceReference> _references;
    private readonly Dictionary<string, (string Prefix, PriceEntry Entry)[]> _prefixes;

    private PriceTable(int schemaVersion, string version, string currency, IReadOnlyList<PriceEntry> entries, Dictionary<string, PriceEntry> byId)
    {
        SchemaVersion = schemaVersion;
        Version = version;
        Currency = currency;
        Entries = entries;
        _byId = byId;
        _lookup = byId.GetAlternateLookup<ReadOnlySpan<char>>();

        // Every model id the table knows, so a response naming one reuses this string instead of allocating its own.
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            foreach (var id in entry.Aliases.Prepend(entry.Model))
            {
                ids.TryAdd(id, id);
            }
        }

        _modelIds = ids.GetAlternateLookup<ReadOnlySpan<char>>();

        // Per provider, the prefixes longest first (the first entry keeps a prefix two entries name).
        _prefixes = entries
            .SelectMany(e => e.Prefixes.Select(p => (e.Provider, Prefix: p, Entry: e)))
            .GroupBy(x => x.Provider, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.DistinctBy(x => x.Prefix, StringComparer.OrdinalIgnoreCase).OrderByDescending(x => x.Prefix.Length).Select(x => (x.Prefix, x.Entry)).ToArray(),
                StringComparer.Ordinal);
        _references = new Dictionary<PricePeriod, PriceReference>(ReferenceEqualityComparer.Instance);
        foreach (var entry in entries)
        {
            foreach (var period in entry.Periods)
            {
                _references[period] = Reference(version, entry, period);
            }
        }
    }

    /// <summary>Gets the table embedded in this version of the SDK.</summary>
    public static PriceTable Default => DefaultTable.Value;

    /// <summary>Gets the schema version of the data.</summary>
    public int SchemaVersion { get; }

    /// <summary>Gets the data version, such as <c>2026.11.1</c>; records name it so they can be re-priced.</summary>
    public string Version { get; }

    /// <summary>Gets the ISO 4217 currency of every rate.</summary>
    public string Currency { get; }

    /// <summary>Gets the entries.</summary>
    public IReadOnlyList<PriceEntry> Entries { get; }

    /// <summary>Loads a table from UTF-8 JSON in the SDK's price-table format.</summary>
    /// <param name="utf8Json">The JSON.</param>
    /// <returns>The table.</returns>
    /// <exception cref="PriceTableException">The data is invalid; the message names the entry.</exception>
    public static PriceTable Load(Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        try
        {
            using var document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return PriceTableReader.Read(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new PriceTableException($"The price table is not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Loads a table from JSON text in the SDK's price-table format.</summary>
    /// <param name="json">The JSON.</param>
    /// <returns>The table.</returns>
    /// <exception cref="PriceTableException">The data is invalid; the message names the entry.</exception>
    public static PriceTable Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        return Load(stream);
    }

    /// <summary>Creates a table from entries, validating them.</summary>
    /// <param name="version">The data version.</param>
    /// <param name="entries">The entries.</param>
    /// <param name="currency">The currency of every rate.</param>
    /// <returns>The table.</returns>
    /// <exception cref="PriceTableException">An entry is invalid or two entries claim the same model id.</exception>
    public static PriceTable Create(string version, IEnumerable<PriceEntry> entries, string currency = "USD")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentException.ThrowIfNullOrWhiteSpace(currency);

        var list = entries.ToList();
        var byId = new Dictionary<string, PriceEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in list)
        {
            Validate(entry);
            foreach (var id in entry.Aliases.Prepend(entry.Model))
            {
                var key = entry.Provider + "/" + id;
                if (!byId.TryAdd(key, entry))
                {
                    throw new PriceTableException($"Price table entry '{entry.Id}': model id '{id}' is already claimed by entry '{byId[key].Id}'.");
                }
            }
        }

        return new PriceTable(SupportedSchemaVersion, version, currency, list, byId);
    }

    /// <summary>
    /// Returns a table in which the given entries replace the entries for the same provider and model, and are added otherwise.
    /// </summary>
    /// <param name="overrides">The entries to add or replace.</param>
    /// <param name="version">The data version of the result; by default this table's version with <c>+custom</c> appended.</param>
    /// <returns>The new table.</returns>
    /// <exception cref="PriceTableException">An entry is invalid.</exception>
    public PriceTable With(IEnumerable<PriceEntry> overrides, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var replacements = overrides.ToList();
        if (replacements.Count == 0)
        {
            return this;
        }

        // Every model id an override names is taken from the entries that had it: the override wins, id by id.
        var claimed = new HashSet<string>(
            replacements.SelectMany(e => e.Aliases.Prepend(e.Model).Select(id => e.Provider + "/" + id)),
            StringComparer.OrdinalIgnoreCase);
        var kept = Entries
            .Where(e => !claimed.Contains(e.Id))
            .Select(e => e.Aliases.Any(a => claimed.Contains(e.Provider + "/" + a))
                ? new PriceEntry(e.Provider, e.Model, [.. e.Aliases.Where(a => !claimed.Contains(e.Provider + "/" + a))], e.Periods, e.Source, e.Retrieved, e.Prefixes) { MaxOutputTokens = e.MaxOutputTokens }
                : e);
        return Create(version ?? Version + "+custom", kept.Concat(replacements), Currency);
    }

    /// <summary>Finds the entry that prices a model.</summary>
    /// <param name="provider">The provider, as a <c>gen_ai.provider.name</c> value.</param>
    /// <param name="model">The model id as a response (or, for Bedrock, the URL) names it.</param>
    /// <param name="entry">The entry, when found.</param>
    /// <returns><see langword="true"/> when the model is priced.</returns>
    /// <remarks>
    /// The id is matched exactly (ignoring case), through aliases, without a dated snapshot suffix, then through the
    /// documented normalizations of each provider: Bedrock's region prefixes, vendor and version parts, Vertex AI's
    /// <c>@version</c>, and the providers whose models are billed at another provider's rates (Azure OpenAI at
    /// OpenAI's, Claude on Bedrock and Vertex AI at Anthropic's, Gemini on Vertex AI at the Gemini API's).
    /// </remarks>
    public bool TryGetEntry(string provider, string? model, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PriceEntry? entry)
    {
        entry = null;
        if (string.IsNullOrEmpty(provider) || string.IsNullOrEmpty(model) || provider.Length + model.Length > 256)
        {
            return false;
        }

        if (TryLookup(provider, model, out entry))
        {
            return true;
        }

        var id = model.AsSpan();
        switch (provider)
        {
            case LlmProviders.AzureOpenAI:
                return TryLookup(LlmProviders.OpenAI, id, out entry);
            case LlmProviders.AwsBedrock:
            {
                var baseModel = ModelIds.BedrockBaseModel(id);
                if (TryLookup(provider, baseModel, out entry))
                {
                    return true;
                }

                var dot = baseModel.IndexOf('.');
                return dot > 0 && baseModel[..dot].Equals("anthropic", StringComparison.OrdinalIgnoreCase)
                    && TryLookup(LlmProviders.Anthropic, baseModel[(dot + 1)..], out entry);
            }

            case LlmProviders.GcpVertexAI:
            {
                var baseModel = ModelIds.StripVertexVersion(id);
                return TryLookup(provider, baseModel, out entry)
                    || TryLookup(LlmProviders.GcpGemini, baseModel, out entry)
                    || TryLookup(LlmProviders.Anthropic, baseModel, out entry);
            }

            case LlmProviders.GcpGemini:
                return id.StartsWith("models/", StringComparison.Ordinal) && TryLookup(provider, id["models/".Length..], out entry);
            case LlmProviders.OpenRouter:
            {
                var slash = id.IndexOf('/');
                return slash > 0 && ModelIds.OpenRouterVendor(id[..slash]) is { } vendor && TryLookup(vendor, id[(slash + 1)..], out entry);
            }

            default:
                return false;
        }
    }

    /// <summary>Looks a provider's model id up exactly, then without a dated snapshot suffix. Allocates nothing.</summary>
    private bool TryLookup(string provider, ReadOnlySpan<char> model, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PriceEntry? entry)
    {
        entry = null;
        if (model.IsEmpty || provider.Length + model.Length > 256)
        {
            return false;
        }

        Span<char> key = stackalloc char[provider.Length + 1 + model.Length];
        provider.CopyTo(key);
        key[provider.Length] = '/';
        model.CopyTo(key[(provider.Length + 1)..]);
        if (_lookup.TryGetValue(key, out entry))
        {
            return true;
        }

        var undated = ModelIds.StripSnapshotDate(key);
        if (undated.Length != key.Length && _lookup.TryGetValue(undated, out entry))
        {
            return true;
        }

        if (_prefixes.Count > 0 && _prefixes.TryGetValue(provider, out var prefixes))
        {
            foreach (var (prefix, candidate) in prefixes)
            {
                if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    entry = candidate;
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Returns the table's own string for a known model id given as UTF-8, or <see langword="null"/>.</summary>
    internal string? KnownModelId(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 128)
        {
            return null;
        }

        Span<char> chars = stackalloc char[utf8.Length];
        return System.Text.Ascii.ToUtf16(utf8, chars, out var written) == System.Buffers.OperationStatus.Done
            && _modelIds.TryGetValue(chars[..written], out var id, out _) ? id : null;
    }

    /// <summary>Returns the table's own string for a known model id, or <see langword="null"/>.</summary>
    internal string? KnownModelId(string id) => _modelIds.TryGetValue(id, out var known, out _) ? known : null;

    /// <summary>Gets the shared reference that names an entry's period in records.</summary>
    internal PriceReference ReferenceFor(PriceEntry entry, PricePeriod period) =>
        _references.TryGetValue(period, out var reference) ? reference
            : Reference(Version, entry, period);

    private static PriceReference Reference(string version, PriceEntry entry, PricePeriod period) =>
        new() { TableVersion = version, Entry = entry.Id, EffectiveFrom = period.EffectiveFrom, EffectiveFromTime = period.EffectiveFromTime };

    /// <summary>Formats a period's start as the table and records write it: <c>yyyy-MM-dd</c>, or <c>yyyy-MM-ddTHH:mm:ssZ</c> for a period that starts during its day.</summary>
    internal static string FormatStart(DateOnly day, TimeOnly time) =>
        time == TimeOnly.MinValue
            ? day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T" + time.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "Z";

    /// <summary>
    /// Parses a period's start: a date (<c>yyyy-MM-dd</c>, from 00:00 UTC) or a UTC instant (<c>yyyy-MM-ddTHH:mm:ssZ</c> or
    /// <c>yyyy-MM-ddTHH:mmZ</c>); an instant with another offset is refused, so every start in the table is read the same way.
    /// </summary>
    internal static bool TryParseStart(string? text, out DateOnly day, out TimeOnly time)
    {
        time = TimeOnly.MinValue;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            return true;
        }

        if (text is { Length: > 11 } && text[10] == 'T' && text[^1] == 'Z'
            && DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day)
            && TimeOnly.TryParseExact(text.AsSpan(11, text.Length - 12), ["HH:mm:ss", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time))
        {
            return true;
        }

        day = default;
        time = default;
        return false;
    }

    /// <summary>Gets an entry by its id, <c>provider/model</c>.</summary>
    /// <param name="id">The entry id or the id of one of its aliases.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public PriceEntry? Find(string id) => _byId.GetValueOrDefault(id);

    private static void Validate(PriceEntry entry)
    {
        if (entry.Periods.Count == 0)
        {
            throw new PriceTableException($"Price table entry '{entry.Id}': it has no price periods.");
        }

        for (var i = 0; i < entry.Periods.Count; i++)
        {
            var period = entry.Periods[i] ?? throw new PriceTableException($"Price table entry '{entry.Id}': period #{i} is null.");
            var where = $"Price table entry '{entry.Id}', period from {FormatStart(period.EffectiveFrom, period.EffectiveFromTime)}";
            if (i > 0 && period.EffectiveFromUtc <= entry.Periods[i - 1].EffectiveFromUtc)
            {
                // Periods have no end: each ends where the next starts, so increasing starts are what keeps them from overlapping.
                throw new PriceTableException($"{where}: periods must be in increasing order of effectiveFrom (it starts at or before the period from {FormatStart(entry.Periods[i - 1].EffectiveFrom, entry.Periods[i - 1].EffectiveFromTime)}).");
            }

            CheckTiered(where, period.Rates);
            foreach (var (name, tier) in period.ServiceTiers)
            {
                CheckTiered($"{where}, service tier '{name}'", tier);
            }

            if (period.Windows.Count > 0 && period.ServiceTiers.Count > 0)
            {
                throw new PriceTableException($"{where}: a period with time-of-day windows cannot have service tiers (how they combine is not published).");
            }

            foreach (var window in period.Windows)
            {
                var windowWhere = $"{where}, window {window.Start.ToString("HH:mm", CultureInfo.InvariantCulture)}-{window.End.ToString("HH:mm", CultureInfo.InvariantCulture)} UTC";
                if (window is null || window.Start == window.End)
                {
                    throw new PriceTableException($"{windowWhere}: a window must have a start and an end that differ.");
                }

                CheckTiered(windowWhere, window.Rates);
            }

            CheckRate(where, "webSearch", period.WebSearch);
            if (period.RegionalUplift is { } uplift && (uplift <= 0 || uplift > MaxRegionalUplift))
            {
                throw new PriceTableException($"{where}: 'regionalUplift' must be a positive multiplier, such as 1.1, of at most {MaxRegionalUplift.ToString(CultureInfo.InvariantCulture)} (got {uplift.ToString(CultureInfo.InvariantCulture)}).");
            }
        }
    }

    private static void CheckTiered(string where, TieredPriceRates? tiered)
    {
        if (tiered?.Base is null)
        {
            throw new PriceTableException($"{where}: it has no rates.");
        }

        CheckRates(where, tiered.Base);
        long previous = 0;
        foreach (var tier in tiered.LongContext)
        {
            var tierWhere = $"{where}, long-context tier above {tier?.AboveInputTokens.ToString(CultureInfo.InvariantCulture)} tokens";
            if (tier?.Rates is null)
            {
                throw new PriceTableException($"{tierWhere}: it has no rates.");
            }

            if (tier.AboveInputTokens <= previous)
            {
                throw new PriceTableException($"{tierWhere}: 'aboveInputTokens' must be positive and the tiers in increasing order.");
            }

            previous = tier.AboveInputTokens;
            CheckRates(tierWhere, tier.Rates);
        }
    }

    private static void CheckRates(string where, PriceRates rates)
    {
        CheckRate(where, "input", rates.Input);
        CheckRate(where, "output", rates.Output);
        CheckRate(where, "cachedInput", rates.CachedInput);
        CheckRate(where, "cacheWrite", rates.CacheWrite);
        CheckRate(where, "cacheWrite1h", rates.CacheWrite1h);
        CheckRate(where, "audioInput", rates.AudioInput);
        CheckRate(where, "audioOutput", rates.AudioOutput);
        CheckRate(where, "imageInput", rates.ImageInput);
        CheckRate(where, "imageOutput", rates.ImageOutput);
        CheckRate(where, "videoInput", rates.VideoInput);
    }

    /// <summary>Checks that a rate is in the sane range: from 0 to <see cref="MaxRate"/>.</summary>
    internal static void CheckRate(string where, string name, decimal? rate)
    {
        if (rate is < 0)
        {
            throw new PriceTableException($"{where}: '{name}' is negative ({rate.Value.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (rate > MaxRate)
        {
            throw new PriceTableException($"{where}: '{name}' is {rate.Value.ToString(CultureInfo.InvariantCulture)}, above the largest rate accepted ({MaxRate.ToString(CultureInfo.InvariantCulture)} per million tokens or per 1,000 requests); a rate that large is a unit or typing error.");
        }
    }

    private static PriceTable LoadEmbedded()
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new PriceTableException($"The embedded price table '{ResourceName}' is missing from {typeof(PriceTable).Assembly.GetName().Name}.");
        return Load(stream);
    }
}
