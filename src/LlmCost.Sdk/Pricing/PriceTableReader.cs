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

        var prefixes = new List<string>();
        if (item.TryGetProperty("prefixes", out var px) && px.ValueKind != JsonValueKind.Null)
        {
            if (px.ValueKind != JsonValueKind.Array)
            {
                throw new PriceTableException($"{where}: 'prefixes' must be an array of strings.");
            }

            foreach (var prefix in px.EnumerateArray())
            {
                prefixes.Add(prefix.ValueKind == JsonValueKind.String && prefix.GetString() is { Length: >= 2 } text
                    ? text
                    : throw new PriceTableException($"{where}: 'prefixes' must be an array of strings of at least 2 characters."));
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
        int? maxOutput = null;
        if (item.TryGetProperty("maxOutputTokens", out var mo) && mo.ValueKind != JsonValueKind.Null)
        {
            maxOutput = mo.ValueKind == JsonValueKind.Number && mo.TryGetInt32(out var tokens) && tokens > 0
                ? tokens
                : throw new PriceTableException($"{where}: 'maxOutputTokens' must be a positive integer (the most output tokens one call can produce), not {mo.GetRawText()}.");
        }

        return new PriceEntry(provider, model, aliases, list, source, retrieved, prefixes) { MaxOutputTokens = maxOutput };
    }

    private static PricePeriod ReadPeriod(JsonElement period, string where)
    {
        if (period.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException($"{where}: each period must be an object.");
        }

        var from = RequiredString(period, "effectiveFrom", where + ", a period");
        if (!PriceTable.TryParseStart(from, out var day, out var time))
        {
            throw new PriceTableException($"{where}: 'effectiveFrom' must be a date (yyyy-MM-dd, from 00:00 UTC) or a UTC instant (yyyy-MM-ddTHH:mm:ssZ), not '{from}'.");
        }

        where = $"{where}, period from {from}";
        var tiers = new Dictionary<string, TieredPriceRates>(StringComparer.OrdinalIgnoreCase);
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

                if (!tiers.TryAdd(tier.Name, ReadTiered(tier.Value, tierWhere)))
                {
                    throw new PriceTableException($"{tierWhere}: it is listed twice.");
                }
            }
        }

        var windows = new List<PriceWindow>();
        if (period.TryGetProperty("windows", out var windowArray) && windowArray.ValueKind != JsonValueKind.Null)
        {
            if (windowArray.ValueKind != JsonValueKind.Array)
            {
                throw new PriceTableException($"{where}: 'windows' must be an array of time-of-day windows.");
            }

            foreach (var window in windowArray.EnumerateArray())
            {
                windows.Add(ReadWindow(window, where));
            }
        }

        return new PricePeriod
        {
            EffectiveFrom = day,
            EffectiveFromTime = time,
            Rates = ReadTiered(period, where),
            ServiceTiers = tiers.AsReadOnly(),
            Windows = windows,
            WebSearch = Rate(period, "webSearch", where),
            RegionalUplift = Multiplier(period, "regionalUplift", where),
            Source = period.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String ? source.GetString() : null,
        };
    }

    private static PriceWindow ReadWindow(JsonElement window, string where)
    {
        if (window.ValueKind != JsonValueKind.Object)
        {
            throw new PriceTableException($"{where}: each window must be an object with 'startUtc', 'endUtc' and rates.");
        }

        var start = ParseTime(RequiredString(window, "startUtc", where + ", a window"), where, "startUtc");
        var end = ParseTime(RequiredString(window, "endUtc", where + ", a window"), where, "endUtc");
        var windowWhere = $"{where}, window {start.ToString("HH:mm", CultureInfo.InvariantCulture)}-{end.ToString("HH:mm", CultureInfo.InvariantCulture)} UTC";
        var days = new List<DayOfWeek>();
        if (window.TryGetProperty("days", out var dayArray) && dayArray.ValueKind != JsonValueKind.Null)
        {
            if (dayArray.ValueKind != JsonValueKind.Array)
            {
                throw new PriceTableException($"{windowWhere}: 'days' must be an array of day names (\"Monday\" ... \"Sunday\").");
            }

            foreach (var d in dayArray.EnumerateArray())
            {
                days.Add(d.ValueKind == JsonValueKind.String && Enum.TryParse<DayOfWeek>(d.GetString(), ignoreCase: false, out var dow) && Enum.IsDefined(dow) && !char.IsDigit(d.GetString()![0])
                    ? dow
                    : throw new PriceTableException($"{windowWhere}: 'days' must name days of the week (\"Monday\" ... \"Sunday\"), not {d.GetRawText()}."));
            }
        }

        var except = new List<DateOnly>();
        if (window.TryGetProperty("exceptDates", out var dateArray) && dateArray.ValueKind != JsonValueKind.Null)
        {
            if (dateArray.ValueKind != JsonValueKind.Array)
            {
                throw new PriceTableException($"{windowWhere}: 'exceptDates' must be an array of dates (yyyy-MM-dd).");
            }

            foreach (var d in dateArray.EnumerateArray())
            {
                except.Add(ParseDate(d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText(), windowWhere, "exceptDates"));
            }
        }

        return new PriceWindow { Start = start, End = end, Days = days, ExceptDates = except, Rates = ReadTiered(window, windowWhere) };
    }

    private static TieredPriceRates ReadTiered(JsonElement rates, string where)
    {
        var longContext = new List<LongContextTier>();
        if (rates.TryGetProperty("longContext", out var tiers) && tiers.ValueKind != JsonValueKind.Null)
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
                if (tier.TryGetProperty("longContext", out _))
                {
                    throw new PriceTableException($"{tierWhere}: a long-context tier cannot have tiers of its own.");
                }

                longContext.Add(new LongContextTier { AboveInputTokens = threshold, Rates = ReadRates(tier, tierWhere) });
            }
        }

        return new TieredPriceRates { Base = ReadRates(rates, where), LongContext = longContext };
    }

    private static PriceRates ReadRates(JsonElement rates, string where) => new()
    {
        Input = Rate(rates, "input", where) ?? throw new PriceTableException($"{where}: 'input' is required."),
        Output = Rate(rates, "output", where) ?? throw new PriceTableException($"{where}: 'output' is required."),
        CachedInput = Rate(rates, "cachedInput", where),
        CacheWrite = Rate(rates, "cacheWrite", where),
        CacheWrite1h = Rate(rates, "cacheWrite1h", where),
        AudioInput = Rate(rates, "audioInput", where),
        AudioOutput = Rate(rates, "audioOutput", where),
        ImageInput = Rate(rates, "imageInput", where),
        ImageOutput = Rate(rates, "imageOutput", where),
        VideoInput = Rate(rates, "videoInput", where),
    };

    private static decimal? Rate(JsonElement period, string name, string where)
    {
        var rate = Number(period, name, where, "a price per million tokens");
        if (rate is { } value)
        {
            PriceTable.CheckRate(where, name, value);
        }

        return rate;
    }

    private static decimal? Multiplier(JsonElement period, string name, string where) => Number(period, name, where, "a multiplier such as 1.1");

    private static decimal? Number(JsonElement period, string name, string where, string what)
    {
        if (!period.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new PriceTableException($"{where}: '{name}' must be a number ({what}), not {value.GetRawText()}.");
        }

        if (!value.TryGetDecimal(out var rate))
        {
            throw new PriceTableException($"{where}: '{name}' is {value.GetRawText()}, too large to be {what} (the largest rate accepted is {PriceTable.MaxRate.ToString(CultureInfo.InvariantCulture)}).");
        }

        return rate;
    }

    private static TimeOnly ParseTime(string text, string where, string name) =>
        TimeOnly.TryParseExact(text, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw new PriceTableException($"{where}: '{name}' must be a UTC time of day in the form HH:mm, not '{text}'.");

    private static DateOnly ParseDate(string? text, string where, string name) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw new PriceTableException($"{where}: '{name}' must be a date in the form yyyy-MM-dd, not '{text}'.");

    private static string RequiredString(JsonElement element, string name, string where) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw new PriceTableException($"{where}: '{name}' is required and must be a non-empty string.");
}
