using System.Globalization;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>Reads the price-table JSON format, naming the entry and field in every error.</summary>
internal static class PriceTableReader
{
    public static PriceTable Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException("The price table must be a JSON object.");
        }

        var schema = root.TryGetProperty("schemaVersion", out var s) && s.TryGetInt32(out var sv) ? sv
            : throw new PriceTableException("The price table has no 'schemaVersion'.");
        if (schema is < 1 or > PriceTable.SupportedSchemaVersion)
        {
            throw new PriceTableException($"The price table has schemaVersion {schema}; this SDK reads schemaVersion 1 to {PriceTable.SupportedSchemaVersion}.");
        }

        var version = RequiredString(root, "version", "The price table");
        var currency = root.TryGetProperty("currency", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "USD";
        if (!root.TryGetProperty("entries", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            throw new PriceTableException("The price table has no 'entries' array.");
        }

        var list = new List<PriceEntry>();
        var index = 0;
        foreach (var item in entries.EnumerateArray())
        {
            list.Add(ReadEntry(item, index++));
        }

        return PriceTable.Create(version, list, currency);
    }

    private static PriceEntry ReadEntry(JsonElement item, int index)
    {
        var where = $"Price table entry #{index}";
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException($"{where}: it must be an object.");
        }

        var provider = RequiredString(item, "provider", where);
        var model = RequiredString(item, "model", where);
        where = $"Price table entry '{provider}/{model}'";

        var aliases = new List<string>();
        if (item.TryGetProperty("aliases", out var a) && a.ValueKind != JsonValueKind.Null)
        {
            if (a.ValueKind != JsonValueKind.Array)
            {
                throw new PriceTableException($"{where}: 'aliases' must be an array of strings.");
            }

            foreach (var alias in a.EnumerateArray())
            {
                aliases.Add(alias.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(alias.GetString())
                    ? alias.GetString()!
                    : throw new PriceTableException($"{where}: 'aliases' must be an array of non-empty strings."));
            }
        }

        if (!item.TryGetProperty("periods", out var periods) || periods.ValueKind != JsonValueKind.Array)
        {
            throw new PriceTableException($"{where}: it has no 'periods' array.");
        }

        var list = new List<PricePeriod>();
        foreach (var period in periods.EnumerateArray())
        {
            list.Add(ReadPeriod(period, where));
        }

        var source = item.TryGetProperty("source", out var src) && src.ValueKind == JsonValueKind.String ? src.GetString() : null;
        DateOnly? retrieved = item.TryGetProperty("retrieved", out var r) && r.ValueKind == JsonValueKind.String ? ParseDate(r.GetString(), where, "retrieved") : null;
        return new PriceEntry(provider, model, aliases, list, source, retrieved);
    }

    private static PricePeriod ReadPeriod(JsonElement period, string where)
    {
        if (period.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException($"{where}: each period must be an object.");
        }

        var from = RequiredString(period, "effectiveFrom", where + ", a period");
        var day = ParseDate(from, where, "effectiveFrom");
        where = $"{where}, period from {from}";
        var tiers = new Dictionary<string, PriceRates>(StringComparer.OrdinalIgnoreCase);
        if (period.TryGetProperty("serviceTiers", out var tierObject) && tierObject.ValueKind != JsonValueKind.Null)
        {
            if (tierObject.ValueKind != JsonValueKind.Object)
            {
                throw new PriceTableException($"{where}: 'serviceTiers' must be an object of rates by tier name.");
            }

            foreach (var tier in tierObject.EnumerateObject())
            {
                var tierWhere = $"{where}, service tier '{tier.Name}'";
                if (tier.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new PriceTableException($"{tierWhere}: it must be an object of rates.");
                }

                if (!tiers.TryAdd(tier.Name, ReadRates(tier.Value, tierWhere, new PriceRates())))
                {
                    throw new PriceTableException($"{tierWhere}: it is listed twice.");
                }
            }
        }

        return ReadRates(period, where, new PricePeriod
        {
            EffectiveFrom = day,
            ServiceTiers = tiers.AsReadOnly(),
            WebSearch = Rate(period, "webSearch", where),
            RegionalUplift = Rate(period, "regionalUplift", where),
        });
    }

    private static T ReadRates<T>(JsonElement rates, string where, T template)
        where T : PriceRates
    {
        var longContext = new List<LongContextRates>();
        if (template is not LongContextRates && rates.TryGetProperty("longContext", out var tiers) && tiers.ValueKind != JsonValueKind.Null)
        {
            if (tiers.ValueKind != JsonValueKind.Array)
            {
                throw new PriceTableException($"{where}: 'longContext' must be an array of tiers.");
            }

            foreach (var tier in tiers.EnumerateArray())
            {
                if (tier.ValueKind != JsonValueKind.Object || !tier.TryGetProperty("aboveInputTokens", out var above) || !above.TryGetInt64(out var threshold))
                {
                    throw new PriceTableException($"{where}: each 'longContext' tier must be an object with an integer 'aboveInputTokens'.");
                }

                var tierWhere = $"{where}, long-context tier above {threshold.ToString(CultureInfo.InvariantCulture)} tokens";
                longContext.Add(ReadRates(tier, tierWhere, new LongContextRates { AboveInputTokens = threshold }));
            }
        }

        // 'with' on the static type PriceRates clones the runtime type, so a period's own properties are kept.
        return (T)((PriceRates)template with
        {
            Input = Rate(rates, "input", where) ?? throw new PriceTableException($"{where}: 'input' is required."),
            Output = Rate(rates, "output", where) ?? throw new PriceTableException($"{where}: 'output' is required."),
            CachedInput = Rate(rates, "cachedInput", where),
            CacheWrite = Rate(rates, "cacheWrite", where),
            CacheWrite1h = Rate(rates, "cacheWrite1h", where),
            LongContext = longContext,
        });
    }

    private static decimal? Rate(JsonElement period, string name, string where)
    {
        if (!period.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var rate))
        {
            throw new PriceTableException($"{where}: '{name}' must be a number (price per million tokens), not {value.GetRawText()}.");
        }

        if (rate < 0)
        {
            throw new PriceTableException($"{where}: '{name}' is negative ({rate.ToString(CultureInfo.InvariantCulture)}).");
        }

        return rate;
    }

    private static DateOnly ParseDate(string? text, string where, string name) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new PriceTableException($"{where}: '{name}' must be a date in the form yyyy-MM-dd, not '{text}'.");

    private static string RequiredString(JsonElement element, string name, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw new PriceTableException($"{where}: '{name}' is required and must be a non-empty string.");
}
