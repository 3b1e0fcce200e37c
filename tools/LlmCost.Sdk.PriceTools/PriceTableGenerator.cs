using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmCost.Sdk.PriceTools;

/// <summary>
/// Builds the SDK's embedded price table from a pinned snapshot of pydantic's genai-prices and the curated overrides.
/// The same inputs always give the same bytes. A price rule the table cannot represent fails the generation, naming the
/// model, unless the overrides exclude that model (or ignore that price key) with a reason.
/// </summary>
public static partial class PriceTableGenerator
{
    /// <summary>The snapshot the table is generated from, relative to the repository root.</summary>
    public const string DefaultSnapshot = "tools/LlmCost.Sdk.PriceTools/inputs/genai-prices-0.1.8.json";

    /// <summary>The curated overrides, relative to the repository root.</summary>
    public const string DefaultOverrides = "tools/LlmCost.Sdk.PriceTools/inputs/overrides.json";

    /// <summary>The embedded table, relative to the repository root.</summary>
    public const string DefaultOutput = "src/LlmCost.Sdk/Pricing/prices.json";

    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly Dictionary<string, RateKey> PriceKeys = new(StringComparer.Ordinal)
    {
        ["input_mtok"] = RateKey.Input,
        ["output_mtok"] = RateKey.Output,
        ["cache_read_mtok"] = RateKey.CachedInput,
        ["cache_write_mtok"] = RateKey.CacheWrite,
        ["cache_write_1h_mtok"] = RateKey.CacheWrite1h,
        ["input_audio_mtok"] = RateKey.AudioInput,
        ["output_audio_mtok"] = RateKey.AudioOutput,
        ["input_image_mtok"] = RateKey.ImageInput,
        ["output_image_mtok"] = RateKey.ImageOutput,
        ["web_searches_kcount"] = RateKey.WebSearch,
    };

    private enum RateKey
    {
        Input,
        Output,
        CachedInput,
        CacheWrite,
        CacheWrite1h,
        AudioInput,
        AudioOutput,
        ImageInput,
        ImageOutput,
        WebSearch,
    }

    /// <summary>Runs <c>generate</c>: writes the table, or with <c>--verify</c> fails when the committed table differs from what the inputs give.</summary>
    /// <param name="args">Options: <c>--genai-prices</c>, <c>--overrides</c>, <c>--out</c>, <c>--verify</c>.</param>
    /// <param name="output">Where the summary goes.</param>
    /// <returns>0 when written (or identical), 1 when <c>--verify</c> found a difference.</returns>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var options = Options.Parse(args);
        var root = RepositoryRoot();
        var snapshot = options.Get("--genai-prices") ?? Path.Combine(root, DefaultSnapshot);
        var overrides = options.Get("--overrides") ?? Path.Combine(root, DefaultOverrides);
        var target = options.Get("--out") ?? Path.Combine(root, DefaultOutput);
        var json = Generate(File.ReadAllText(snapshot), File.ReadAllText(overrides));
        if (options.Has("--verify"))
        {
            var same = File.Exists(target) && File.ReadAllText(target) == json;
            output.WriteLine(same ? $"{target} is what the inputs give." : $"{target} differs from what the inputs give: run 'generate'.");
            return same ? 0 : 1;
        }

        File.WriteAllText(target, json);
        var table = PriceTable.Parse(json);
        output.WriteLine($"{table.Entries.Count} entries, version {table.Version}, written to {target}.");
        return 0;
    }

    /// <summary>Generates the table's JSON from the inputs' text.</summary>
    /// <param name="snapshotJson">The genai-prices snapshot (<c>dump-genai-prices.cjs</c>).</param>
    /// <param name="overridesJson">The curated overrides.</param>
    /// <returns>The table JSON.</returns>
    /// <exception cref="PriceGenerationException">A rule cannot be represented or an override is not sourced.</exception>
    public static string Generate(string snapshotJson, string overridesJson)
    {
        ArgumentNullException.ThrowIfNull(snapshotJson);
        ArgumentNullException.ThrowIfNull(overridesJson);
        using var snapshot = JsonDocument.Parse(snapshotJson, JsonOptions);
        using var overrides = JsonDocument.Parse(overridesJson, JsonOptions);
        var o = overrides.RootElement;
        var s = snapshot.RootElement;
        var via = $"{Str(s, "package")} {Str(s, "version")}";
        var published = DateOnly.ParseExact(Str(s, "published"), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var providerMap = o.GetProperty("providers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        var ignoredKeys = o.GetProperty("unsupportedPriceKeys").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() is { Length: > 0 } reason ? reason : throw new PriceGenerationException($"unsupportedPriceKeys.{p.Name} needs a reason."), StringComparer.Ordinal);
        var excluded = o.GetProperty("excludedModels").EnumerateArray()
            .ToDictionary(e => Str(e, "provider") + "/" + Str(e, "model"), e => Required(e, "reason", "excludedModels " + Str(e, "model")), StringComparer.Ordinal);
        var usedExclusions = new HashSet<string>(StringComparer.Ordinal);

        var entries = new List<Draft>();
        foreach (var provider in s.GetProperty("providers").EnumerateArray())
        {
            var providerId = Str(provider, "id");
            if (!providerMap.TryGetValue(providerId, out var ours))
            {
                throw new PriceGenerationException($"genai-prices provider '{providerId}' has no mapping in overrides 'providers'.");
            }

            var pricingUrl = provider.GetProperty("pricing_urls")[0].GetString()!;
            foreach (var model in provider.GetProperty("models").EnumerateArray())
            {
                var id = Str(model, "id");
                var key = providerId + "/" + id;
                if (excluded.ContainsKey(key))
                {
                    usedExclusions.Add(key);
                    continue;
                }

                var target = ours;
                var comments = model.TryGetProperty("price_comments", out var c) ? c.GetString() : null;
                var source = FirstUrl(comments) ?? pricingUrl;
                var periods = Periods(model, $"{providerId} model '{id}'", ignoredKeys);
                var (name, aliases, prefixes) = Ids(providerId, id, model);
                entries.Add(new Draft(target, name, aliases, periods, source, published, via, Regional: providerId == "aws" && id.StartsWith("regional.", StringComparison.Ordinal)) { Prefixes = prefixes });
            }
        }

        foreach (var key in excluded.Keys.Where(k => !usedExclusions.Contains(k)))
        {
            throw new PriceGenerationException($"overrides 'excludedModels' names '{key}', which the snapshot does not have: remove it.");
        }

        entries = MergeBedrockRegions(entries);
        entries = Deduplicate(entries);
        var notes = new Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>>(StringComparer.OrdinalIgnoreCase);
        ApplyEntryOverrides(entries, o, notes);
        ApplyAliases(entries, o);
        ApplyThresholds(entries, o);
        ApplyReleased(entries, o);
        ApplyVideoInputAtInputRate(entries, o);
        ApplyServiceTiers(entries, o);
        ApplyUplifts(entries, o);
        ApplyMaxOutputTokens(entries, o);

        var order = providerMap.Values.Append(LlmProviders.GcpVertexAI).Distinct().ToList();
        var sorted = entries.OrderBy(e => order.IndexOf(e.Provider)).ToList();
        var priceEntries = new List<PriceEntry>();
        foreach (var draft in sorted)
        {
            priceEntries.Add(new PriceEntry(draft.Provider, draft.Model, draft.Aliases, draft.Periods, draft.Source, draft.Retrieved, draft.Prefixes) { MaxOutputTokens = draft.MaxOutputTokens });
            if (!notes.ContainsKey(draft.Provider + "/" + draft.Model) && draft.Via is not null)
            {
                notes[draft.Provider + "/" + draft.Model] = [new("via", draft.Via)];
            }
        }

        PriceTable table;
        try
        {
            table = PriceTable.Create(Str(o, "tableVersion"), priceEntries);
        }
        catch (PriceTableException ex)
        {
            throw new PriceGenerationException("The generated table is invalid: " + ex.Message, ex);
        }

        var json = PriceTableJson.Write(table, w => Metadata(w, s), notes);
        _ = PriceTable.Parse(json); // what is written must read back
        return json;
    }

    private static void Metadata(Utf8JsonWriter writer, JsonElement snapshot)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("genaiPrices");
        writer.WriteString("package", Str(snapshot, "package"));
        writer.WriteString("version", Str(snapshot, "version"));
        writer.WriteString("published", Str(snapshot, "published"));
        writer.WriteString("repository", Str(snapshot, "repository"));
        writer.WriteString("license", Str(snapshot, "license"));
        var licence = Str(snapshot, "licenseText");
        var copyright = licence.Split('\n').FirstOrDefault(l => l.StartsWith("Copyright", StringComparison.Ordinal))?.Trim() ?? "";
        writer.WriteString("copyright", copyright);
        writer.WriteString("notice", "Prices derived from genai-prices, used under the MIT License; see THIRD-PARTY-NOTICES.md.");
        writer.WriteEndObject();
        writer.WriteString("overrides", DefaultOverrides);
        writer.WriteString("generator", "tools/LlmCost.Sdk.PriceTools (dotnet run --project tools/LlmCost.Sdk.PriceTools -- generate)");
        writer.WriteEndObject();
    }

    /// <summary>genai-prices' conditional prices, in list order: the first has no constraint, a start date opens a period, a time-of-day window belongs to the period before it.</summary>
    private static List<PricePeriod> Periods(JsonElement model, string where, Dictionary<string, string> ignoredKeys)
    {
        var prices = model.GetProperty("prices");
        var list = new List<PricePeriod>();
        if (prices.ValueKind == JsonValueKind.Object)
        {
            list.Add(Period(prices, DateOnly.MinValue, where, ignoredKeys));
            return list;
        }

        var index = 0;
        foreach (var conditional in prices.EnumerateArray())
        {
            var rates = conditional.GetProperty("prices");
            if (!conditional.TryGetProperty("constraint", out var constraint))
            {
                if (index != 0)
                {
                    throw new PriceGenerationException($"{where}: price #{index} has no constraint; only the first may have none.");
                }

                list.Add(Period(rates, DateOnly.MinValue, where, ignoredKeys));
            }
            else if (index == 0)
            {
                throw new PriceGenerationException($"{where}: the first price has a constraint; the table needs an unconstrained first price.");
            }
            else
            {
                var type = Str(constraint, "type");
                switch (type)
                {
                    case "start_date":
                    {
                        if (list[^1].Windows.Count > 0)
                        {
                            // [.., window, start_date]: genai-prices applies the window only before the date, which is what the table says.
                        }

                        var (day, time) = ParseStart(Str(constraint, "start_date"), where + ", start_date");
                        var start = list[^1] with { EffectiveFrom = day, EffectiveFromTime = time };
                        if (start.EffectiveFromUtc <= list[^1].EffectiveFromUtc)
                        {
                            throw new PriceGenerationException($"{where}: start_date {Str(constraint, "start_date")} is not after the previous period.");
                        }

                        list.Add(Period(rates, day, where + " from " + Str(constraint, "start_date"), ignoredKeys) with { EffectiveFromTime = time });
                        break;
                    }

                    case "time_of_date":
                    {
                        var windowWhere = $"{where}, window {Str(constraint, "start_time")}-{Str(constraint, "end_time")}";
                        var period = Period(rates, list[^1].EffectiveFrom, windowWhere, ignoredKeys);
                        if (period.WebSearch != list[^1].WebSearch)
                        {
                            throw new PriceGenerationException($"{windowWhere}: a window changes the per-request charge, which a window cannot carry.");
                        }

                        var window = new PriceWindow { Start = UtcTime(Str(constraint, "start_time"), windowWhere), End = UtcTime(Str(constraint, "end_time"), windowWhere), Rates = period.Rates };
                        list[^1] = list[^1] with { Windows = [.. list[^1].Windows, window] };
                        break;
                    }

                    default:
                        throw new PriceGenerationException($"{where}: price constraint type '{type}' cannot be represented.");
                }
            }

            index++;
        }

        return list;
    }

    private static TimeOnly UtcTime(string text, string where)
    {
        // "01:00:00Z": the table keeps UTC windows; an offset other than Z is a rule to convert by hand.
        if (!text.EndsWith('Z') || !TimeOnly.TryParseExact(text[..^1], ["HH:mm:ss", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) || time.Second != 0)
        {
            throw new PriceGenerationException($"{where}: time '{text}' is not a whole-minute UTC time (HH:mm:ssZ).");
        }

        return time;
    }

    private static PricePeriod Period(JsonElement prices, DateOnly from, string where, Dictionary<string, string> ignoredKeys)
    {
        var flat = new Dictionary<RateKey, decimal>();
        var tiers = new Dictionary<RateKey, List<(long Start, decimal Price)>>();
        foreach (var property in prices.EnumerateObject())
        {
            if (!PriceKeys.TryGetValue(property.Name, out var key))
            {
                if (ignoredKeys.ContainsKey(property.Name))
                {
                    continue;
                }

                throw new PriceGenerationException($"{where}: price key '{property.Name}' cannot be represented; add the model to 'excludedModels' with a reason, or support the key.");
            }

            if (property.Value.ValueKind == JsonValueKind.Number)
            {
                flat[key] = property.Value.GetDecimal();
            }
            else if (property.Value.ValueKind == JsonValueKind.Object && key != RateKey.WebSearch)
            {
                flat[key] = property.Value.GetProperty("base").GetDecimal();
                tiers[key] = [.. property.Value.GetProperty("tiers").EnumerateArray().Select(t => (t.GetProperty("start").GetInt64(), t.GetProperty("price").GetDecimal())).OrderBy(t => t.Item1)];
            }
            else
            {
                throw new PriceGenerationException($"{where}: price key '{property.Name}' has a shape the table cannot represent: {property.Value.GetRawText()}.");
            }
        }

        if (!flat.ContainsKey(RateKey.Input) && prices.EnumerateObject().Any())
        {
            throw new PriceGenerationException($"{where}: it has no 'input_mtok'; add the model to 'excludedModels' with a reason.");
        }

        // Each key may have its own thresholds; a tier of the table sets every rate at its threshold.
        var thresholds = tiers.Values.SelectMany(t => t.Select(x => x.Start)).Distinct().Order().ToList();
        var longContext = thresholds.Select(threshold => new LongContextTier
        {
            AboveInputTokens = threshold,
            Rates = Rates(key => RateAt(key, threshold)),
        }).ToList();
        decimal? RateAt(RateKey key, long threshold)
        {
            // genai-prices prices the whole call at the tier whose start the input exceeds; below every tier, the base.
            if (tiers.TryGetValue(key, out var list))
            {
                var crossed = list.Where(t => t.Start <= threshold).ToList();
                if (crossed.Count > 0)
                {
                    return crossed[^1].Price;
                }
            }

            return flat.TryGetValue(key, out var v) ? v : null;
        }

        return new PricePeriod
        {
            EffectiveFrom = from,
            Rates = new TieredPriceRates { Base = Rates(key => flat.TryGetValue(key, out var v) ? v : null), LongContext = longContext },
            WebSearch = flat.TryGetValue(RateKey.WebSearch, out var search) ? search : null,
        };
    }

    private static PriceRates Rates(Func<RateKey, decimal?> get) => new()
    {
        Input = get(RateKey.Input) ?? 0m,
        Output = get(RateKey.Output) ?? 0m, // genai-prices: no output price means output is not charged (embeddings)
        CachedInput = get(RateKey.CachedInput),
        CacheWrite = get(RateKey.CacheWrite),
        CacheWrite1h = get(RateKey.CacheWrite1h),
        AudioInput = get(RateKey.AudioInput),
        AudioOutput = get(RateKey.AudioOutput),
        ImageInput = get(RateKey.ImageInput),
        ImageOutput = get(RateKey.ImageOutput),
    };

    /// <summary>The entry's model id and aliases: the ids its match names exactly (<c>equals</c>, <c>starts_with</c>), then genai-prices' own id.</summary>
    private static (string Model, List<string> Aliases, List<string> Prefixes) Ids(string provider, string id, JsonElement model)
    {
        var ids = new List<string>();
        var prefixes = new List<string>();
        if (provider == "aws")
        {
            // Named as the SDK normalizes Bedrock ids; the exact id (without genai-prices' global./regional. scope) is an
            // alias, so it wins over a sibling that normalizes the same way (amazon.titan-embed-text-v1 and -v2:0).
            ids.Add(BedrockBase(id));
            var exact = id.StartsWith("global.", StringComparison.Ordinal) ? id["global.".Length..]
                : id.StartsWith("regional.", StringComparison.Ordinal) ? id["regional.".Length..] : id;
            ids.Add(exact);
        }
        else
        {
            // The entry is named by genai-prices' id when its match names it, else by the first exact id, else the first prefix.
            var equals = new List<string>();
            Collect(model.GetProperty("match"), equals, prefixes);
            var trimmed = prefixes.Select(p => p.TrimEnd('-', '.', ':', '@')).ToList();
            var shorter = equals.Where(e => id.StartsWith(e + "-", StringComparison.OrdinalIgnoreCase)).OrderBy(e => e.Length).FirstOrDefault();
            var named = equals.Contains(id, StringComparer.OrdinalIgnoreCase) ? id
                : shorter is not null ? shorter // claude-sonnet-4 rather than claude-sonnet-4-0
                : trimmed.Contains(id, StringComparer.OrdinalIgnoreCase) ? id
                : equals.Count > 0 ? equals.OrderBy(e => e.Length).First()
                : trimmed.Count > 0 ? trimmed[0]
                : id;
            ids.Add(named);
            ids.AddRange(equals);
            ids.Add(id);
        }

        ids = [.. ids.Where(i => i.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
        return (ids[0], ids.Skip(1).ToList(), [.. prefixes.Where(p => p.Length >= 2).Distinct(StringComparer.OrdinalIgnoreCase)]);

        static void Collect(JsonElement match, List<string> equals, List<string> prefixes)
        {
            foreach (var clause in match.EnumerateObject())
            {
                switch (clause.Name)
                {
                    case "equals":
                        equals.Add(clause.Value.GetString()!);
                        break;
                    case "starts_with":
                        prefixes.Add(clause.Value.GetString()!);
                        break;
                    case "ends_with":
                        equals.Add(clause.Value.GetString()!); // narrower than genai-prices: the id itself, no longer ids ending so
                        break;
                    case "contains":
                        prefixes.Add(clause.Value.GetString()!); // narrower: ids starting with it (the SDK strips 'models/', versions and regions first)
                        break;
                    case "or" or "and":
                        // 'and' narrows a prefix with a regex (gemini-2.5-pro but not -tts): the prefix is kept and the
                        // excluded ids have exact entries of their own, which win over any prefix.
                        foreach (var item in clause.Value.EnumerateArray())
                        {
                            Collect(item, equals, prefixes);
                        }

                        break;
                    default:
                        break; // regex: matched through the exact ids and the SDK's documented normalizations
                }
            }
        }
    }

    /// <summary>Bedrock ids as the SDK looks them up: no <c>global.</c>/<c>regional.</c> scope, no version, no snapshot date.</summary>
    internal static string BedrockBase(string id)
    {
        var s = id;
        foreach (var scope in new[] { "global.", "regional." })
        {
            if (s.StartsWith(scope, StringComparison.Ordinal))
            {
                s = s[scope.Length..];
            }
        }

        s = BedrockVersion().Replace(s, "");
        s = SnapshotDate().Replace(s, "");
        return s;
    }

    [GeneratedRegex(@"(-v\d+(:\d+)?|-\d:\d+|:\d+)$")]
    private static partial Regex BedrockVersion();

    [GeneratedRegex(@"-20\d{6}$")]
    private static partial Regex SnapshotDate();

    [GeneratedRegex(@"https?://[^\s,)]+")]
    private static partial Regex Url();

    private static string? FirstUrl(string? text) => text is null ? null : Url().Match(text) is { Success: true } m ? m.Value.TrimEnd('.', ';') : null;

    /// <summary>Bedrock's global and regional endpoints of one model become one entry: global rates with the regional uplift.</summary>
    private static List<Draft> MergeBedrockRegions(List<Draft> drafts)
    {
        var result = new List<Draft>();
        foreach (var draft in drafts)
        {
            if (draft.Provider != LlmProviders.AwsBedrock)
            {
                result.Add(draft);
                continue;
            }

            var global = result.FindIndex(d => d.Provider == draft.Provider && d.Model == draft.Model);
            if (global < 0)
            {
                result.Add(draft);
                continue;
            }

            var (g, r) = draft.Regional ? (result[global], draft) : (draft, result[global]);
            result[global] = g with { Periods = Uplift(g, r), Regional = false };
        }

        return result;
    }

    private static List<PricePeriod> Uplift(Draft global, Draft regional)
    {
        var periods = new List<PricePeriod>();
        foreach (var period in global.Periods)
        {
            var match = regional.PeriodAt(period);
            var ratios = Pairs(period.Rates, match.Rates).Where(p => p.Global > 0 || p.Regional > 0).Select(p => p.Global > 0 ? p.Regional / p.Global : -1m).Distinct().ToList();
            if (ratios.Count != 1 || regional.Periods.Any(p => p.EffectiveFromUtc > period.EffectiveFromUtc && global.Periods.All(q => q.EffectiveFromUtc != p.EffectiveFromUtc)))
            {
                throw new PriceGenerationException($"aws model '{global.Model}': the regional rates are not one multiple of the global rates in every period ({string.Join(", ", ratios)}), which 'regionalUplift' cannot represent.");
            }

            periods.Add(period with { RegionalUplift = ratios[0] == 1m ? null : PriceTableJson.Normalize(ratios[0]) });
        }

        return periods;

        static IEnumerable<(decimal Global, decimal Regional)> Pairs(TieredPriceRates g, TieredPriceRates r)
        {
            if (g.LongContext.Count != r.LongContext.Count)
            {
                yield return (1m, -1m);
                yield break;
            }

            foreach (var pair in Flatten(g.Base).Zip(Flatten(r.Base)))
            {
                yield return pair;
            }

            for (var i = 0; i < g.LongContext.Count; i++)
            {
                foreach (var pair in Flatten(g.LongContext[i].Rates).Zip(Flatten(r.LongContext[i].Rates)))
                {
                    yield return pair;
                }
            }
        }

        static IEnumerable<decimal> Flatten(PriceRates x) =>
            [x.Input, x.Output, x.CachedInput ?? -1, x.CacheWrite ?? -1, x.CacheWrite1h ?? -1, x.AudioInput ?? -1, x.AudioOutput ?? -1, x.ImageInput ?? -1, x.ImageOutput ?? -1, x.VideoInput ?? -1];
    }

    /// <summary>An id claimed by two models of one provider goes to the first (genai-prices matches models in order).</summary>
    private static List<Draft> Deduplicate(List<Draft> drafts)
    {
        var claimed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<Draft>();
        foreach (var draft in drafts)
        {
            var ids = draft.Aliases.Prepend(draft.Model).Where(i => claimed.Add(draft.Provider + "/" + i)).ToList();
            if (ids.Count == 0)
            {
                continue; // every id it matches is priced by an earlier model
            }

            result.Add(draft with { Model = ids[0], Aliases = ids.Skip(1).ToList() });
        }

        return result;
    }

    /// <summary>Moves a long-context threshold where the provider's page puts it (genai-prices encodes "from 272K" and "above 272K" differently per model).</summary>
    private static void ApplyThresholds(List<Draft> drafts, JsonElement overrides)
    {
        if (!overrides.TryGetProperty("longContextThresholds", out var rules))
        {
            return;
        }

        foreach (var rule in rules.EnumerateArray())
        {
            var provider = Str(rule, "provider");
            var where = $"longContextThresholds {provider}";
            Required(rule, "source", where);
            Required(rule, "retrieved", where);
            Required(rule, "reason", where);
            var from = rule.GetProperty("from").GetInt64();
            var to = rule.GetProperty("to").GetInt64();
            foreach (var model in rule.GetProperty("models").EnumerateArray())
            {
                var index = Find(drafts, provider + "/" + model.GetString(), where);
                var changed = false;
                TieredPriceRates Move(TieredPriceRates rates) => rates with
                {
                    LongContext = [.. rates.LongContext.Select(t => t.AboveInputTokens == from ? (changed = true, t with { AboveInputTokens = to }).Item2 : t)],
                };
                var periods = drafts[index].Periods.Select(p => p with { Rates = Move(p.Rates) }).ToList();
                if (!changed)
                {
                    throw new PriceGenerationException($"{where}: {model.GetString()} has no long-context tier above {from} tokens; remove it from the rule.");
                }

                drafts[index] = drafts[index] with { Periods = periods };
            }
        }
    }

    /// <summary>Adds model ids the providers' responses use that genai-prices' match does not name (exactly, or as a prefix).</summary>
    private static void ApplyAliases(List<Draft> drafts, JsonElement overrides)
    {
        if (!overrides.TryGetProperty("aliases", out var rules))
        {
            return;
        }

        foreach (var rule in rules.EnumerateArray())
        {
            var id = Str(rule, "entry");
            var where = $"aliases {id}";
            Required(rule, "source", where);
            Required(rule, "reason", where);
            var index = Find(drafts, id, where);
            var added = rule.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()!).ToList();
            var provider = drafts[index].Provider;
            foreach (var alias in added)
            {
                if (drafts.Any(d => d.Provider == provider && (string.Equals(d.Model, alias, StringComparison.OrdinalIgnoreCase) || d.Aliases.Contains(alias, StringComparer.OrdinalIgnoreCase))))
                {
                    throw new PriceGenerationException($"{where}: '{alias}' is already an id of an entry; remove it from the rule.");
                }
            }

            drafts[index] = drafts[index] with { Aliases = [.. drafts[index].Aliases, .. added] };
        }
    }

    private static void ApplyReleased(List<Draft> drafts, JsonElement overrides)
    {
        foreach (var item in overrides.GetProperty("released").EnumerateArray())
        {
            var entry = Str(item, "entry");
            Required(item, "source", "released " + entry);
            var index = Find(drafts, entry, "released");
            var day = DateOnly.ParseExact(Str(item, "date"), "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var periods = drafts[index].Periods.ToList();
            if (periods[0].EffectiveFromUtc != DateTimeOffset.MinValue || (periods.Count > 1 && periods[1].EffectiveFrom <= day))
            {
                throw new PriceGenerationException($"released {entry}: {Str(item, "date")} is not before the model's first dated price change.");
            }

            periods[0] = periods[0] with { EffectiveFrom = day };
            drafts[index] = drafts[index] with { Periods = periods };
        }
    }

    /// <summary>
    /// Models whose provider bills video input tokens at the text input rate ("text / image / video"): every rate set
    /// of every period (long-context tiers and windows too) gets <see cref="PriceRates.VideoInput"/> equal to its input
    /// rate. Elsewhere video input has no rate and a call with video tokens is not priced.
    /// </summary>
    private static void ApplyVideoInputAtInputRate(List<Draft> drafts, JsonElement overrides)
    {
        if (!overrides.TryGetProperty("videoInputAtInputRate", out var rules))
        {
            return;
        }

        foreach (var rule in rules.EnumerateArray())
        {
            var provider = Str(rule, "provider");
            var where = $"videoInputAtInputRate {provider}";
            Required(rule, "source", where);
            Required(rule, "retrieved", where);
            Required(rule, "reason", where);
            foreach (var model in rule.GetProperty("models").EnumerateArray())
            {
                var index = Find(drafts, provider + "/" + model.GetString(), where);
                drafts[index] = drafts[index] with
                {
                    Periods = [.. drafts[index].Periods.Select(p => p with
                    {
                        Rates = WithVideo(p.Rates),
                        Windows = [.. p.Windows.Select(w => w with { Rates = WithVideo(w.Rates) })],
                    })],
                };
            }
        }

        static TieredPriceRates WithVideo(TieredPriceRates rates) => new()
        {
            Base = rates.Base with { VideoInput = rates.Base.VideoInput ?? rates.Base.Input },
            LongContext = [.. rates.LongContext.Select(t => t with { Rates = t.Rates with { VideoInput = t.Rates.VideoInput ?? t.Rates.Input } })],
        };
    }

    private static void ApplyServiceTiers(List<Draft> drafts, JsonElement overrides)
    {
        foreach (var rule in overrides.GetProperty("serviceTiers").EnumerateArray())
        {
            var tier = Str(rule, "tier");
            var provider = Str(rule, "provider");
            var where = $"serviceTiers {provider} '{tier}'";
            Required(rule, "source", where);
            Required(rule, "retrieved", where);
            Required(rule, "reason", where);
            foreach (var model in rule.GetProperty("models").EnumerateArray())
            {
                var index = Find(drafts, provider + "/" + Str(model, "model"), where);

                // A tier's rates as the provider's page lists them, where no multiplier of the base rates gives them exactly
                // (o4-mini's priority $2.00 over $1.10): only for a model with one price period, since they carry no dates.
                TieredPriceRates? listed = null;
                if (model.TryGetProperty("rates", out var rates))
                {
                    if (drafts[index].Periods.Count != 1)
                    {
                        throw new PriceGenerationException($"{where}: {drafts[index].Model} has {drafts[index].Periods.Count} price periods; listed tier rates carry no dates, so give a multiplier.");
                    }

                    listed = new TieredPriceRates
                    {
                        Base = new PriceRates
                        {
                            Input = rates.GetProperty("input").GetDecimal(),
                            Output = rates.GetProperty("output").GetDecimal(),
                            CachedInput = rates.TryGetProperty("cachedInput", out var c) ? c.GetDecimal() : null,
                        },
                    };
                }

                // No default for a tier whose rates differ per model (OpenAI priority): a model added without its own
                // multiplier or rates fails here, naming it, instead of taking another model's ratio.
                var multiplier = listed is not null ? 0m
                    : model.TryGetProperty("multiplier", out var m) ? m.GetDecimal()
                    : rule.TryGetProperty("multiplier", out var shared) ? shared.GetDecimal()
                    : throw new PriceGenerationException($"{where}: {drafts[index].Model} has neither a multiplier nor rates, and the tier gives no multiplier for all its models.");
                var periods = drafts[index].Periods.Select(p => p.Windows.Count > 0
                    ? throw new PriceGenerationException($"{where}: {drafts[index].Model} has time-of-day windows, which cannot combine with a service tier.")
                    : p with { ServiceTiers = new Dictionary<string, TieredPriceRates>(p.ServiceTiers, StringComparer.OrdinalIgnoreCase) { [tier] = listed ?? Scale(p.Rates, multiplier) }.AsReadOnly() }).ToList();
                drafts[index] = drafts[index] with { Periods = periods };
            }
        }
    }

    private static TieredPriceRates Scale(TieredPriceRates rates, decimal factor) => new()
    {
        Base = Scale(rates.Base, factor),
        LongContext = [.. rates.LongContext.Select(t => t with { Rates = Scale(t.Rates, factor) })],
    };

    private static PriceRates Scale(PriceRates r, decimal f) => new()
    {
        Input = PriceTableJson.Normalize(r.Input * f),
        Output = PriceTableJson.Normalize(r.Output * f),
        CachedInput = r.CachedInput * f is { } a ? PriceTableJson.Normalize(a) : null,
        CacheWrite = r.CacheWrite * f is { } b ? PriceTableJson.Normalize(b) : null,
        CacheWrite1h = r.CacheWrite1h * f is { } c ? PriceTableJson.Normalize(c) : null,
        AudioInput = r.AudioInput * f is { } d ? PriceTableJson.Normalize(d) : null,
        AudioOutput = r.AudioOutput * f is { } e ? PriceTableJson.Normalize(e) : null,
        ImageInput = r.ImageInput * f is { } g ? PriceTableJson.Normalize(g) : null,
        ImageOutput = r.ImageOutput * f is { } h ? PriceTableJson.Normalize(h) : null,
        VideoInput = r.VideoInput * f is { } v ? PriceTableJson.Normalize(v) : null,
    };

    private static void ApplyUplifts(List<Draft> drafts, JsonElement overrides)
    {
        foreach (var rule in overrides.GetProperty("regionalUplift").EnumerateArray())
        {
            var provider = Str(rule, "provider");
            var where = $"regionalUplift {provider}";
            Required(rule, "source", where);
            Required(rule, "retrieved", where);
            Required(rule, "reason", where);
            var uplift = rule.GetProperty("uplift").GetDecimal();
            foreach (var model in rule.GetProperty("models").EnumerateArray())
            {
                var index = Find(drafts, provider + "/" + model.GetString(), where);
                drafts[index] = drafts[index] with { Periods = [.. drafts[index].Periods.Select(p => p with { RegionalUplift = uplift })] };
            }
        }
    }

    /// <summary>
    /// The most output tokens one call can produce, per model (genai-prices has no such field): each rule names its
    /// entries (<c>models</c>, as <c>provider/model</c>), the number, and the provider's page it was read on.
    /// </summary>
    private static void ApplyMaxOutputTokens(List<Draft> drafts, JsonElement overrides)
    {
        if (!overrides.TryGetProperty("maxOutputTokens", out var rules))
        {
            return;
        }

        foreach (var rule in rules.EnumerateArray())
        {
            var tokens = rule.GetProperty("tokens").TryGetInt32(out var t) && t > 0 ? t : throw new PriceGenerationException($"maxOutputTokens {rule.GetProperty("tokens").GetRawText()}: 'tokens' must be a positive integer.");
            var where = $"maxOutputTokens {tokens.ToString(CultureInfo.InvariantCulture)}";
            Required(rule, "source", where);
            Required(rule, "retrieved", where);
            Required(rule, "reason", where);
            foreach (var id in rule.GetProperty("models").EnumerateArray())
            {
                var index = Find(drafts, id.GetString()!, where);
                if (drafts[index].MaxOutputTokens is not null)
                {
                    throw new PriceGenerationException($"{where}: '{id.GetString()}' already has a maximum from another rule.");
                }

                drafts[index] = drafts[index] with { MaxOutputTokens = tokens };
            }
        }
    }

    private static void ApplyEntryOverrides(List<Draft> drafts, JsonElement overrides, Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>> notes)
    {
        var entries = overrides.GetProperty("entries");
        var version = Str(overrides, "tableVersion");
        foreach (var item in entries.EnumerateArray())
        {
            var provider = Str(item, "provider");
            var model = Str(item, "model");
            var where = $"overrides entry '{provider}/{model}'";
            var source = Required(item, "source", where);
            var retrieved = Required(item, "retrieved", where);
            var reason = Required(item, "reason", where);

            // Read the entry through the SDK's own reader, so an override is validated like any table.
            using var doc = JsonDocument.Parse($$"""{"schemaVersion":{{PriceTable.SupportedSchemaVersion}},"version":"{{version}}","entries":[{{item.GetRawText()}}]}""");
            var entry = PriceTable.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(doc.RootElement.GetRawText()))).Entries[0];
            var existing = drafts.FindIndex(d => d.Provider == provider && string.Equals(d.Model, model, StringComparison.OrdinalIgnoreCase));
            var replaces = item.TryGetProperty("replaces", out var r) && r.GetBoolean();
            var holder = drafts.FindIndex(d => d.Provider == provider && d.Aliases.Contains(model, StringComparer.OrdinalIgnoreCase));
            if (holder >= 0)
            {
                // The override takes this one id from the entry that lists it as an alias (mistral-large-latest moved on).
                if (!(item.TryGetProperty("takesAlias", out var t) && t.GetBoolean()))
                {
                    throw new PriceGenerationException($"{where}: '{model}' is an alias of '{drafts[holder].Model}' in the snapshot; set 'takesAlias' to true to price it apart, and say why in 'reason'.");
                }

                drafts[holder] = drafts[holder] with { Aliases = [.. drafts[holder].Aliases.Where(a => !string.Equals(a, model, StringComparison.OrdinalIgnoreCase))] };
            }

            if (existing >= 0 != replaces)
            {
                throw new PriceGenerationException(replaces
                    ? $"{where}: 'replaces' is true but the snapshot has no such model; it adds one: set 'replaces' to false."
                    : $"{where}: the snapshot already has this model: set 'replaces' to true and say why in 'reason'.");
            }

            var draft = new Draft(provider, entry.Model, [.. entry.Aliases], [.. entry.Periods], source, DateOnly.ParseExact(retrieved, "yyyy-MM-dd", CultureInfo.InvariantCulture), null, false) { Prefixes = [.. entry.Prefixes], MaxOutputTokens = entry.MaxOutputTokens };
            if (existing >= 0)
            {
                // Aliases the generated entry had stay with the model.
                var aliases = drafts[existing].Aliases.Prepend(drafts[existing].Model).Where(a => !string.Equals(a, draft.Model, StringComparison.OrdinalIgnoreCase)).Concat(draft.Aliases).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                drafts[existing] = draft with { Aliases = aliases, Prefixes = [.. drafts[existing].Prefixes.Concat(entry.Prefixes).Distinct(StringComparer.OrdinalIgnoreCase)] };
            }
            else
            {
                drafts.Add(draft);
            }

            notes[provider + "/" + entry.Model] = [new("override", reason)];
        }
    }

    private static int Find(List<Draft> drafts, string id, string where)
    {
        var index = drafts.FindIndex(d => string.Equals(d.Provider + "/" + d.Model, id, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : throw new PriceGenerationException($"{where}: no generated entry '{id}'.");
    }

    /// <summary>A start as genai-prices or the overrides give it: a date (from 00:00 UTC) or a UTC instant.</summary>
    private static (DateOnly Day, TimeOnly Time) ParseStart(string text, string where)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return (day, TimeOnly.MinValue);
        }

        if (DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return (DateOnly.FromDateTime(instant.UtcDateTime), TimeOnly.FromDateTime(instant.UtcDateTime));
        }

        throw new PriceGenerationException($"{where}: '{text}' is neither a date (yyyy-MM-dd) nor a UTC instant (yyyy-MM-ddTHH:mm:ssZ).");
    }

    private static string Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new PriceGenerationException($"'{name}' is missing in {Truncate(element.GetRawText())}.");

    private static string Required(JsonElement element, string name, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw new PriceGenerationException($"{where}: '{name}' is required (every override says where its price comes from, when it was read and why).");

    private static string Truncate(string text) => text.Length > 120 ? text[..120] + "…" : text;

    /// <summary>The repository root: the first folder up from here that holds <c>LlmCost.Sdk.sln</c>.</summary>
    public static string RepositoryRoot() =>
        TryRoot(Directory.GetCurrentDirectory()) ?? TryRoot(AppContext.BaseDirectory)
        ?? throw new PriceGenerationException("Cannot find the repository root (LlmCost.Sdk.sln); pass every path explicitly.");

    /// <summary>The repository root above a folder.</summary>
    /// <param name="start">The folder to search up from.</param>
    /// <returns>The root.</returns>
    public static string RepositoryRootFrom(string start) =>
        TryRoot(start) ?? throw new PriceGenerationException($"No LlmCost.Sdk.sln above '{start}'.");

    private static string? TryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmCost.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private sealed record Draft(string Provider, string Model, List<string> Aliases, List<PricePeriod> Periods, string Source, DateOnly Retrieved, string? Via, bool Regional)
    {
        public List<string> Prefixes { get; init; } = [];

        public int? MaxOutputTokens { get; init; }

        public PricePeriod PeriodAt(PricePeriod at) => Periods.LastOrDefault(p => p.EffectiveFromUtc <= at.EffectiveFromUtc) ?? Periods[0];
    }
}
