using System.Globalization;
using System.Text.Json;

namespace LlmCost.Sdk.Cli;

/// <summary>
/// Reads the providers' own cost reports: the OpenAI organization Costs API (<c>GET /v1/organization/costs</c>) and the
/// Anthropic Admin API cost report (<c>GET /v1/organizations/cost_report</c>) as JSON (one page, or an array of pages),
/// and the CSV exports of the same data.
/// </summary>
/// <remarks>
/// OpenAI: <c>data[].start_time</c> (Unix seconds, UTC day buckets) and <c>results[].amount.value</c> in
/// <c>amount.currency</c> (<c>usd</c>) dollars; <c>line_item</c> (with <c>group_by=line_item</c>) is "model, kind" such as
/// <c>gpt-4o-2024-08-06, input</c>, and the model is the part before the comma. Anthropic: <c>data[].starting_at</c>
/// (RFC 3339) and <c>results[].amount</c>, a decimal string in cents ("123.45" is $1.2345), with <c>model</c> when grouped
/// by description. CSV: a header row; the day from <c>start_time_iso</c>, <c>start_time</c>, <c>starting_at</c>,
/// <c>usage_date_utc</c> or <c>date</c>; the amount in dollars from <c>amount_value</c>, <c>cost_usd</c> or <c>amount_usd</c>
/// (or <c>amount</c> in cents for Anthropic); the model from <c>model</c> or <c>line_item</c>. The Anthropic Console's cost
/// export (<c>claude_api_cost_*.csv</c>: <c>usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,
/// cost_usd,list_price_usd,cost_type,...</c>, one row per day, model and token type) is read by its header like any other:
/// <c>usage_date_utc</c>, <c>cost_usd</c> in dollars (never <c>list_price_usd</c>, the undiscounted price), and the model's
/// display name ("Claude Haiku 4.5") turned into its id stem (<see cref="ModelOfDisplayName"/>). See tests/…/Payloads/SOURCES.md.
/// </remarks>
internal static class ProviderCostExport
{
    public static IReadOnlyList<ProviderCostLine> Read(string provider, string path)
    {
        var text = File.ReadAllText(path);
        var first = text.TrimStart().FirstOrDefault();
        try
        {
            if (first is '{' or '[')
            {
                using var document = JsonDocument.Parse(text);
                return provider == "openai" ? ReadOpenAI(document.RootElement) : ReadAnthropic(document.RootElement);
            }

            return ReadCsv(provider, text);
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.InputError, $"--file: '{path}' is not valid JSON: {ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new CliException(ExitCodes.InputError, $"--file: '{path}' has a value that cannot be read: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException(ExitCodes.InputError, $"--file: '{path}' is not a {Name(provider)} cost report: {ex.Message}", ex);
        }
    }

    public static string Name(string provider) => provider == "openai" ? "OpenAI Costs API" : "Anthropic cost report";

    /// <summary>The model of an OpenAI line item: "gpt-4o-2024-08-06, input" names gpt-4o-2024-08-06; "Web search" names none.</summary>
    public static string? ModelOfLineItem(string? lineItem)
    {
        if (string.IsNullOrWhiteSpace(lineItem))
        {
            return null;
        }

        var comma = lineItem.LastIndexOf(", ", StringComparison.Ordinal);
        return comma > 0 ? lineItem[..comma].Trim() : null;
    }

    /// <summary>
    /// The model id stem of a name in the Anthropic Console's cost export, which names models for people
    /// ("Claude Haiku 4.5", "Claude Sonnet 4"): lower case, spaces and dots as dashes ("claude-haiku-4-5"), the stem of
    /// the API ids the records carry ("claude-haiku-4-5-20251001"). An id ("claude-3-5-haiku-20241022") is kept as it is.
    /// </summary>
    public static string ModelOfDisplayName(string name)
    {
        if (!name.Contains(' ', StringComparison.Ordinal))
        {
            return name;
        }

        var words = name.Trim().ToLowerInvariant().Replace('.', '-').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('-', words);
    }

    private static List<ProviderCostLine> ReadOpenAI(JsonElement root)
    {
        var lines = new List<ProviderCostLine>();
        foreach (var page in Pages(root))
        {
            foreach (var bucket in Data(page, "OpenAI Costs API"))
            {
                if (!bucket.TryGetProperty("start_time", out var start) || start.ValueKind != JsonValueKind.Number)
                {
                    throw new InvalidOperationException("a bucket has no 'start_time' (Unix seconds).");
                }

                var day = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(start.GetInt64()).UtcDateTime);
                foreach (var result in Results(bucket))
                {
                    if (!result.TryGetProperty("amount", out var amount) || amount.ValueKind != JsonValueKind.Object || !amount.TryGetProperty("value", out var value))
                    {
                        continue; // no amount: nothing was billed in this result
                    }

                    var currency = amount.TryGetProperty("currency", out var c) ? c.GetString() : "usd";
                    if (!string.Equals(currency, "usd", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new InvalidOperationException($"an amount is in '{currency}'; only USD is compared.");
                    }

                    var lineItem = result.TryGetProperty("line_item", out var li) && li.ValueKind == JsonValueKind.String ? li.GetString() : null;
                    lines.Add(new ProviderCostLine(day, ModelOfLineItem(lineItem), Number(value), lineItem));
                }
            }
        }

        return lines;
    }

    private static List<ProviderCostLine> ReadAnthropic(JsonElement root)
    {
        var lines = new List<ProviderCostLine>();
        foreach (var page in Pages(root))
        {
            foreach (var bucket in Data(page, "Anthropic cost report"))
            {
                if (!bucket.TryGetProperty("starting_at", out var start) || start.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidOperationException("a bucket has no 'starting_at' (RFC 3339).");
                }

                var day = DateOnly.FromDateTime(DateTimeOffset.Parse(start.GetString()!, CultureInfo.InvariantCulture).UtcDateTime);
                foreach (var result in Results(bucket))
                {
                    if (!result.TryGetProperty("amount", out var amount) || amount.ValueKind is JsonValueKind.Null)
                    {
                        continue;
                    }

                    var currency = result.TryGetProperty("currency", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : "USD";
                    if (!string.Equals(currency, "USD", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new InvalidOperationException($"an amount is in '{currency}'; only USD is compared.");
                    }

                    var model = result.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                    var description = result.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                    lines.Add(new ProviderCostLine(day, model, Number(amount) / 100m, description));
                }
            }
        }

        return lines;
    }

    private static List<ProviderCostLine> ReadCsv(string provider, string text)
    {
        var rows = Csv.Parse(text);
        if (rows.Count == 0)
        {
            throw new InvalidOperationException("the CSV file is empty.");
        }

        var header = rows[0].Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Column(params string[] names) => names.Select(n => header.IndexOf(n)).FirstOrDefault(i => i >= 0, -1);
        var dayColumn = Column("start_time_iso", "starting_at", "usage_date_utc", "date", "start_time");
        var dollars = Column("amount_value", "cost_usd", "amount_usd");
        var cents = provider == "anthropic" ? Column("amount") : -1;
        var modelColumn = Column("model");
        var lineItemColumn = Column("line_item", "description");
        var currencyColumn = Column("amount_currency", "currency");
        if (dayColumn < 0 || (dollars < 0 && cents < 0))
        {
            throw new InvalidOperationException($"the CSV header must name a day column (start_time_iso, starting_at, usage_date_utc or date) and an amount column (amount_value, cost_usd or amount_usd); it has: {string.Join(", ", header)}.");
        }

        var lines = new List<ProviderCostLine>();
        foreach (var row in rows.Skip(1))
        {
            string Cell(int i) => i >= 0 && i < row.Count ? row[i].Trim() : string.Empty;
            var amountText = dollars >= 0 ? Cell(dollars) : Cell(cents);
            if (amountText.Length == 0)
            {
                continue; // a day with no billed amount
            }

            var currency = Cell(currencyColumn);
            if (currency.Length > 0 && !string.Equals(currency, "usd", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"an amount is in '{currency}'; only USD is compared.");
            }

            var dayText = Cell(dayColumn);
            var day = long.TryParse(dayText, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
                ? DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(unix).UtcDateTime)
                : DateOnly.FromDateTime(DateTimeOffset.Parse(dayText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime);
            var amount = decimal.Parse(amountText, NumberStyles.Float, CultureInfo.InvariantCulture);
            var lineItem = Cell(lineItemColumn);
            var model = Cell(modelColumn) is { Length: > 0 } named ? (provider == "anthropic" ? ModelOfDisplayName(named) : named) : ModelOfLineItem(lineItem);
            lines.Add(new ProviderCostLine(day, model, dollars >= 0 ? amount : amount / 100m, lineItem.Length == 0 ? null : lineItem));
        }

        return lines;
    }

    private static JsonElement[] Pages(JsonElement root) => root.ValueKind == JsonValueKind.Array ? [.. root.EnumerateArray()] : [root];

    private static JsonElement[] Data(JsonElement page, string what) =>
        page.ValueKind == JsonValueKind.Object && page.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? [.. data.EnumerateArray()]
            : throw new InvalidOperationException($"no 'data' array of time buckets, as a {what} response has.");

    private static JsonElement[] Results(JsonElement bucket) =>
        bucket.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array ? [.. results.EnumerateArray()] : [];

    private static decimal Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDecimal(),
        JsonValueKind.String => decimal.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"an amount is {value.ValueKind}, not a number."),
    };
}
