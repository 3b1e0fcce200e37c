using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace LlmCost.Sdk.PriceTools;

/// <summary>
/// Reads LiteLLM's community price map (<c>model_prices_and_context_window.json</c>, a JSON object keyed by model) into a
/// <see cref="PriceTable"/>, so a team can take newer prices from it without upgrading the package.
/// </summary>
/// <remarks>
/// <para>
/// Only entries whose <c>mode</c> is <c>chat</c>, <c>completion</c>, <c>responses</c> or <c>embedding</c>, whose
/// <c>litellm_provider</c> is one the SDK tracks, and that have an <c>input_cost_per_token</c> (and an
/// <c>output_cost_per_token</c>, except embeddings, whose output rate is then 0) are imported. Everything else —
/// <c>sample_spec</c>, images, audio, rerank, providers the SDK does not track, regional or deployment-specific keys
/// such as <c>azure/eu/…</c> and <c>bedrock/us-west-2/…</c>, a second key for the same model — is skipped and
/// reported through the <c>onSkipped</c> callback.
/// </para>
/// <para>
/// Providers: <c>openai</c> and <c>text-completion-openai</c> → <c>openai</c>; <c>anthropic</c>; <c>azure</c> and
/// <c>azure_text</c> → <c>azure.ai.openai</c>; <c>bedrock</c> and <c>bedrock_converse</c> → <c>aws.bedrock</c>;
/// <c>vertex_ai</c> and <c>vertex_ai-*</c> → <c>gcp.vertex_ai</c>; <c>gemini</c> → <c>gcp.gemini</c>; <c>mistral</c> →
/// <c>mistral_ai</c>; <c>deepseek</c>; <c>groq</c>; <c>xai</c> → <c>x_ai</c>; <c>openrouter</c>. A routing prefix
/// LiteLLM puts on a key (<c>gemini/gemini-2.5-pro</c>, <c>groq/llama-3.3-70b-versatile</c>) is removed, so the model
/// id is the one the provider's responses name.
/// </para>
/// <para>
/// Rates: LiteLLM's per-token costs become the table's per-million rates exactly (<see cref="decimal"/>, no rounding):
/// <c>input_cost_per_token</c>, <c>output_cost_per_token</c>, <c>cache_read_input_token_cost</c> (DeepSeek's
/// <c>input_cost_per_token_cache_hit</c> when absent), <c>cache_creation_input_token_cost</c> and
/// <c>cache_creation_input_token_cost_above_1hr</c>; <c>max_output_tokens</c> becomes <see cref="PriceEntry.MaxOutputTokens"/>. A suffix <c>_above_200k_tokens</c> (any <c>_above_Nk_tokens</c>)
/// makes a long-context tier; a suffix <c>_batches</c>, <c>_flex</c> or <c>_priority</c> makes the service tier
/// <c>batch</c>, <c>flex</c> or <c>priority</c>, whose rates LiteLLM does not list fall back to the base rates (as
/// LiteLLM itself prices them). <c>search_context_cost_per_query.search_context_size_medium</c> (per search) becomes the
/// web-search charge per 1,000 searches.
/// </para>
/// <para>
/// LiteLLM's map has no dates: every entry gets one price period in force from 0001-01-01, so a table imported from
/// it prices every call, old or new, at today's prices. Each entry's <see cref="PriceEntry.Source"/> is
/// <see cref="Source"/>. Invalid data (a cost that is not a number, or is negative) throws a
/// <see cref="PriceTableException"/> naming the key. Thread-safe; the result is an ordinary immutable table.
/// </para>
/// </remarks>
public static class LiteLlmPriceImporter
{
    /// <summary>The <see cref="PriceEntry.Source"/> of every imported entry.</summary>
    public const string Source = "litellm:model_prices_and_context_window.json";

    private const decimal PerMillion = 1_000_000m;

    private static readonly (string Name, RateField Field)[] RateNames =
    [
        ("cache_creation_input_token_cost_above_1hr", RateField.CacheWrite1h), // before its own prefix below
        ("cache_creation_input_token_cost", RateField.CacheWrite),
        ("cache_read_input_token_cost", RateField.CachedInput),
        ("input_cost_per_token", RateField.Input),
        ("output_cost_per_token", RateField.Output),
    ];

    private enum RateField
    {
        Input,
        Output,
        CachedInput,
        CacheWrite,
        CacheWrite1h,
        CacheHit,
    }

    /// <summary>Imports a LiteLLM price map.</summary>
    /// <param name="utf8Json">The UTF-8 JSON of <c>model_prices_and_context_window.json</c>.</param>
    /// <param name="version">
    /// The table version records will name; by default <c>litellm-</c> followed by the first 12 hex digits of the
    /// content's SHA-256, so a record names the exact file that priced it.
    /// </param>
    /// <param name="onSkipped">Called with the key and the reason for every entry that is not imported.</param>
    /// <returns>The table.</returns>
    /// <exception cref="PriceTableException">The data is invalid; the message names the key.</exception>
    public static PriceTable Import(Stream utf8Json, string? version = null, Action<string, string>? onSkipped = null)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var buffer = new MemoryStream();
        utf8Json.CopyTo(buffer);
        return Import(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), version, onSkipped);
    }

    /// <summary>Imports a LiteLLM price map from a file.</summary>
    /// <param name="path">The path of <c>model_prices_and_context_window.json</c>.</param>
    /// <param name="version">The table version records will name; see <see cref="Import(Stream, string?, Action{string, string}?)"/>.</param>
    /// <param name="onSkipped">Called with the key and the reason for every entry that is not imported.</param>
    /// <returns>The table.</returns>
    /// <exception cref="PriceTableException">The data is invalid; the message names the key and the file.</exception>
    public static PriceTable ImportFile(string path, string? version = null, Action<string, string>? onSkipped = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Import(bytes, version, onSkipped);
        }
        catch (PriceTableException ex)
        {
            throw new PriceTableException($"{ex.Message} (in '{path}')", ex);
        }
    }

    /// <summary>The default version of a table imported from these bytes.</summary>
    internal static string DefaultVersion(ReadOnlySpan<byte> utf8Json)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8Json, hash);
        return "litellm-" + Convert.ToHexStringLower(hash[..6]);
    }

    internal static PriceTable Import(ReadOnlyMemory<byte> utf8Json, string? version, Action<string, string>? onSkipped)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { AllowTrailingCommas = true });
            return Read(document.RootElement, version ?? DefaultVersion(utf8Json.Span), onSkipped);
        }
        catch (JsonException ex)
        {
            throw new PriceTableException($"The LiteLLM price map is not valid JSON: {ex.Message}", ex);
        }
    }

    internal static PriceTable Read(JsonElement root, string version, Action<string, string>? onSkipped)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("The LiteLLM price map must be a JSON object keyed by model.");
        }

        var entries = new List<PriceEntry>();
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in root.EnumerateObject())
        {
            var key = property.Name;
            if (TryReadEntry(key, property.Value, out var entry, out var reason))
            {
                if (ids.TryGetValue(entry.Id, out var first))
                {
                    onSkipped?.Invoke(key, $"it prices '{entry.Id}', which key '{first}' already priced");
                    continue;
                }

                ids.Add(entry.Id, key);
                entries.Add(entry);
            }
            else
            {
                onSkipped?.Invoke(key, reason);
            }
        }

        return PriceTable.Create(version, entries);
    }

    private static bool TryReadEntry(string key, JsonElement item, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PriceEntry? entry, out string reason)
    {
        entry = null;
        if (key == "sample_spec")
        {
            reason = "it is LiteLLM's description of the format, not a model";
            return false;
        }

        if (item.ValueKind != JsonValueKind.Object)
        {
            reason = "it is not an object";
            return false;
        }

        var mode = GetString(item, "mode");
        var embedding = mode == "embedding";
        if (mode is not ("chat" or "completion" or "responses" or "embedding"))
        {
            reason = mode is null ? "it has no 'mode'" : $"mode '{mode}' is not priced per token by this SDK";
            return false;
        }

        var litellmProvider = GetString(item, "litellm_provider");
        if (ProviderFor(litellmProvider) is not { } provider)
        {
            reason = $"provider '{litellmProvider}' is not one this SDK tracks";
            return false;
        }

        if (ModelId(key, provider) is not { } model)
        {
            reason = "it is a regional or deployment-specific price; calls are priced through the model's own entry";
            return false;
        }

        var where = $"LiteLLM entry '{key}'";
        var sets = ReadRates(item, where);
        if (!sets.TryGetValue((null, 0), out var rates) || rates.Input is null)
        {
            reason = "it has no 'input_cost_per_token'";
            return false;
        }

        if (rates.Output is null && !embedding)
        {
            reason = "it has no 'output_cost_per_token'";
            return false;
        }

        var period = new PricePeriod
        {
            EffectiveFrom = DateOnly.MinValue,
            Rates = Build(rates, Fallback.None, LongContext(sets, tier: null, rates, Fallback.None)),
            ServiceTiers = Tiers(sets, rates),
            WebSearch = WebSearch(item, where),
        };

        // max_output_tokens (LiteLLM's legacy max_tokens is sometimes the input limit, so it is not read).
        int? maxOutput = item.TryGetProperty("max_output_tokens", out var mo) && mo.ValueKind == JsonValueKind.Number && mo.TryGetInt32(out var tokens) && tokens > 0 ? tokens : null;
        entry = new PriceEntry(provider, model, [], [period], Source) { MaxOutputTokens = maxOutput };
        reason = string.Empty;
        return true;
    }

    /// <summary>Every rate of an entry, by service tier (<see langword="null"/> for the base rates) and long-context threshold (0 for none).</summary>
    private static Dictionary<(string? Tier, long Above), RateSet> ReadRates(JsonElement item, string where)
    {
        var sets = new Dictionary<(string?, long), RateSet>();
        foreach (var property in item.EnumerateObject())
        {
            if (!TryParseRateName(property.Name, out var field, out var tier, out var above))
            {
                continue;
            }

            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var rate = PerMillionRate(value, where, property.Name);
            if (!sets.TryGetValue((tier, above), out var set))
            {
                sets[(tier, above)] = set = new RateSet();
            }

            set.Set(field, rate);
        }

        return sets;
    }

    private static decimal PerMillionRate(JsonElement value, string where, string name)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var perToken))
        {
            throw new PriceTableException($"{where}: '{name}' must be a number (cost per token), not {value.GetRawText()}.");
        }

        if (perToken < 0)
        {
            throw new PriceTableException($"{where}: '{name}' is negative ({perToken.ToString(CultureInfo.InvariantCulture)}).");
        }

        // Exact: 2.5e-06 becomes 2.5 per million; trailing zeros are removed so rates print as published.
        return (perToken * PerMillion) / 1.0000000000000000000000000000m;
    }

    /// <summary>
    /// Parses <c>{rate}[_above_{N}k_tokens][_batches|_flex|_priority]</c>. Names that are not token rates
    /// (<c>input_cost_per_audio_token</c>, <c>output_cost_per_reasoning_token</c>, …) return <see langword="false"/>.
    /// </summary>
    private static bool TryParseRateName(string name, out RateField field, out string? tier, out long above)
    {
        field = default;
        tier = null;
        above = 0;
        if (name == "input_cost_per_token_cache_hit")
        {
            field = RateField.CacheHit;
            return true;
        }

        ReadOnlySpan<char> rest = default;
        var matched = false;
        foreach (var (rateName, rateField) in RateNames)
        {
            if (name.StartsWith(rateName, StringComparison.Ordinal))
            {
                field = rateField;
                rest = name.AsSpan(rateName.Length);
                matched = true;
                break;
            }
        }

        if (!matched)
        {
            return false;
        }

        if (rest.StartsWith("_above_", StringComparison.Ordinal))
        {
            var end = rest.IndexOf("k_tokens", StringComparison.Ordinal);
            if (end <= "_above_".Length
                || !long.TryParse(rest["_above_".Length..end], NumberStyles.None, CultureInfo.InvariantCulture, out var thousands)
                || thousands is <= 0 or > 1_000_000_000)
            {
                return false;
            }

            above = thousands * 1000;
            rest = rest[(end + "k_tokens".Length)..];
        }

        tier = rest switch
        {
            "" => null,
            "_batches" => "batch",
            "_flex" => "flex",
            "_priority" => "priority",
            _ => "?",
        };
        return tier != "?";
    }

    private static System.Collections.ObjectModel.ReadOnlyDictionary<string, TieredPriceRates> Tiers(Dictionary<(string? Tier, long Above), RateSet> sets, RateSet rates)
    {
        var tiers = new Dictionary<string, TieredPriceRates>(StringComparer.OrdinalIgnoreCase);
        foreach (var ((tier, above), set) in sets)
        {
            if (tier is null || above != 0 || (set.Input is null && set.Output is null))
            {
                continue;
            }

            var fallback = new Fallback(rates, null);
            tiers[tier] = Build(set, fallback, LongContext(sets, tier, set, fallback));
        }

        return tiers.AsReadOnly();
    }

    /// <summary>The long-context tiers of the base rates (<paramref name="tier"/> null) or of a service tier, lowest threshold first.</summary>
    private static List<LongContextTier> LongContext(Dictionary<(string? Tier, long Above), RateSet> sets, string? tier, RateSet own, Fallback fallback)
    {
        var list = new List<LongContextTier>();
        foreach (var ((setTier, above), set) in sets.OrderBy(s => s.Key.Above))
        {
            if (above == 0 || !string.Equals(setTier, tier, StringComparison.Ordinal))
            {
                continue;
            }

            // A long-context rate LiteLLM does not list for a tier is the base long-context rate, then the tier's own rate.
            RateSet? baseLongContext = tier is not null && sets.TryGetValue((null, above), out var b) ? b : null;
            list.Add(new LongContextTier { AboveInputTokens = above, Rates = Rates(set, new Fallback(baseLongContext, own, fallback)) });
        }

        return list;
    }

    private static TieredPriceRates Build(RateSet set, Fallback fallback, List<LongContextTier> longContext) =>
        new() { Base = Rates(set, fallback), LongContext = longContext };

    private static PriceRates Rates(RateSet set, Fallback fallback) => new()
    {
        Input = set.Input ?? fallback.Get(RateField.Input) ?? 0m,
        Output = set.Output ?? fallback.Get(RateField.Output) ?? 0m,
        CachedInput = set.CachedInput ?? set.CacheHit ?? fallback.Get(RateField.CachedInput),
        CacheWrite = set.CacheWrite ?? fallback.Get(RateField.CacheWrite),
        CacheWrite1h = set.CacheWrite1h ?? fallback.Get(RateField.CacheWrite1h),
    };

    private static decimal? WebSearch(JsonElement item, string where)
    {
        if (!item.TryGetProperty("search_context_cost_per_query", out var search) || search.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (search.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException($"{where}: 'search_context_cost_per_query' must be an object of costs per search.");
        }

        decimal? medium = null;
        foreach (var size in search.EnumerateObject())
        {
            if (size.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            // Validated like every cost; per million is per token × 10^6, so per 1,000 searches is that / 1,000.
            var perThousand = PerMillionRate(size.Value, where, "search_context_cost_per_query." + size.Name) / 1000m;
            if (size.Name == "search_context_size_medium" || (medium is null && size.Name == "search_context_size_low"))
            {
                medium = perThousand;
            }
        }

        return medium;
    }

    private static string? ProviderFor(string? litellmProvider) => litellmProvider switch
    {
        "openai" or "text-completion-openai" => LlmProviders.OpenAI,
        "anthropic" => LlmProviders.Anthropic,
        "azure" or "azure_text" => LlmProviders.AzureOpenAI,
        "bedrock" or "bedrock_converse" => LlmProviders.AwsBedrock,
        "gemini" => LlmProviders.GcpGemini,
        "mistral" => LlmProviders.MistralAI,
        "deepseek" => LlmProviders.DeepSeek,
        "groq" => LlmProviders.Groq,
        "xai" => LlmProviders.XAI,
        "openrouter" => LlmProviders.OpenRouter,
        not null when litellmProvider == "vertex_ai" || litellmProvider.StartsWith("vertex_ai-", StringComparison.Ordinal) => LlmProviders.GcpVertexAI,
        _ => null,
    };

    /// <summary>The model id a key names: without LiteLLM's routing prefix; <see langword="null"/> for a regional or deployment route.</summary>
    private static string? ModelId(string key, string provider)
    {
        var prefix = provider switch
        {
            LlmProviders.OpenAI => "openai/",
            LlmProviders.Anthropic => "anthropic/",
            LlmProviders.AzureOpenAI => key.StartsWith("azure_text/", StringComparison.Ordinal) ? "azure_text/" : "azure/",
            LlmProviders.AwsBedrock => "bedrock/",
            LlmProviders.GcpVertexAI => "vertex_ai/",
            LlmProviders.GcpGemini => "gemini/",
            LlmProviders.MistralAI => "mistral/",
            LlmProviders.DeepSeek => "deepseek/",
            LlmProviders.Groq => "groq/",
            LlmProviders.XAI => "xai/",
            _ => "openrouter/",
        };

        var model = key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : key;

        // Azure deployment and Bedrock model ids never contain '/': what is left is a region or a route
        // (azure/eu/gpt-4o, bedrock/us-west-2/…). Other providers' ids can (groq/openai/gpt-oss-120b, OpenRouter's vendor/model).
        if (model.Length == 0 || (provider is LlmProviders.AzureOpenAI or LlmProviders.AwsBedrock && model.Contains('/', StringComparison.Ordinal)))
        {
            return null;
        }

        return model;
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The rates LiteLLM lists for one tier and threshold; unlisted ones stay null.</summary>
    private sealed class RateSet
    {
        public decimal? Input { get; private set; }

        public decimal? Output { get; private set; }

        public decimal? CachedInput { get; private set; }

        public decimal? CacheHit { get; private set; }

        public decimal? CacheWrite { get; private set; }

        public decimal? CacheWrite1h { get; private set; }

        public decimal? Get(RateField field) => field switch
        {
            RateField.Input => Input,
            RateField.Output => Output,
            RateField.CachedInput => CachedInput ?? CacheHit,
            RateField.CacheWrite => CacheWrite,
            RateField.CacheWrite1h => CacheWrite1h,
            _ => CacheHit,
        };

        public void Set(RateField field, decimal rate)
        {
            switch (field)
            {
                case RateField.Input: Input = rate; break;
                case RateField.Output: Output = rate; break;
                case RateField.CachedInput: CachedInput = rate; break;
                case RateField.CacheWrite: CacheWrite = rate; break;
                case RateField.CacheWrite1h: CacheWrite1h = rate; break;
                default: CacheHit = rate; break;
            }
        }
    }

    /// <summary>Where a rate not listed for a tier comes from: first <see cref="_first"/>, then <see cref="_second"/>, then further.</summary>
    private sealed class Fallback
    {
        public static readonly Fallback None = new(null, null);

        private readonly RateSet? _first;
        private readonly RateSet? _second;
        private readonly Fallback? _then;

        public Fallback(RateSet? first, RateSet? second, Fallback? then = null)
        {
            _first = first;
            _second = second;
            _then = then;
        }

        public decimal? Get(RateField field) => _first?.Get(field) ?? _second?.Get(field) ?? _then?.Get(field);
    }
}
