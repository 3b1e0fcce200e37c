using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmCost.Sdk.PriceTools;

/// <summary>Writes a <see cref="PriceTable"/> in the SDK's price-table format (schema 3), byte for byte the same for the same table.</summary>
public static class PriceTableJson
{
    /// <summary>Writes a table.</summary>
    /// <param name="table">The table.</param>
    /// <param name="metadata">Written as the top-level <c>generatedFrom</c> object when given (inputs, licences).</param>
    /// <param name="notes">Extra string fields per entry id (<c>via</c>, <c>override</c>), written after <c>retrieved</c>.</param>
    /// <returns>The JSON, LF line endings, ending with a newline.</returns>
    public static string Write(PriceTable table, Action<Utf8JsonWriter>? metadata, IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", PriceTable.SupportedSchemaVersion);
            writer.WriteString("version", table.Version);
            writer.WriteString("currency", table.Currency);
            if (metadata is not null)
            {
                writer.WritePropertyName("generatedFrom");
                metadata(writer);
            }

            writer.WriteStartArray("entries");
            foreach (var entry in table.Entries)
            {
                writer.WriteStartObject();
                writer.WriteString("provider", entry.Provider);
                writer.WriteString("model", entry.Model);
                writer.WriteStartArray("aliases");
                foreach (var alias in entry.Aliases)
                {
                    writer.WriteStringValue(alias);
                }

                writer.WriteEndArray();
                if (entry.Prefixes.Count > 0)
                {
                    writer.WriteStartArray("prefixes");
                    foreach (var prefix in entry.Prefixes)
                    {
                        writer.WriteStringValue(prefix);
                    }

                    writer.WriteEndArray();
                }

                if (entry.MaxOutputTokens is { } maxOutput)
                {
                    writer.WriteNumber("maxOutputTokens", maxOutput);
                }

                if (entry.Source is not null)
                {
                    writer.WriteString("source", entry.Source);
                }

                if (entry.Retrieved is { } retrieved)
                {
                    writer.WriteString("retrieved", Date(retrieved));
                }

                if (notes is not null && notes.TryGetValue(entry.Id, out var extra))
                {
                    foreach (var (name, value) in extra)
                    {
                        writer.WriteString(name, value);
                    }
                }

                writer.WriteStartArray("periods");
                foreach (var period in entry.Periods)
                {
                    WritePeriod(writer, period);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WritePeriod(Utf8JsonWriter writer, PricePeriod period)
    {
        writer.WriteStartObject();
        writer.WriteString("effectiveFrom", Start(period));
        if (period.Source is not null)
        {
            writer.WriteString("source", period.Source);
        }

        WriteTiered(writer, period.Rates);
        Number(writer, "webSearch", period.WebSearch);
        Number(writer, "regionalUplift", period.RegionalUplift);
        if (period.ServiceTiers.Count > 0)
        {
            writer.WriteStartObject("serviceTiers");
            foreach (var (name, tier) in period.ServiceTiers.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject(name);
                WriteTiered(writer, tier);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        if (period.Windows.Count > 0)
        {
            writer.WriteStartArray("windows");
            foreach (var window in period.Windows)
            {
                writer.WriteStartObject();
                writer.WriteString("startUtc", window.Start.ToString("HH:mm", CultureInfo.InvariantCulture));
                writer.WriteString("endUtc", window.End.ToString("HH:mm", CultureInfo.InvariantCulture));
                if (window.Days.Count > 0)
                {
                    writer.WriteStartArray("days");
                    foreach (var day in window.Days)
                    {
                        writer.WriteStringValue(day.ToString());
                    }

                    writer.WriteEndArray();
                }

                if (window.ExceptDates.Count > 0)
                {
                    writer.WriteStartArray("exceptDates");
                    foreach (var day in window.ExceptDates)
                    {
                        writer.WriteStringValue(Date(day));
                    }

                    writer.WriteEndArray();
                }

                WriteTiered(writer, window.Rates);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteTiered(Utf8JsonWriter writer, TieredPriceRates rates)
    {
        WriteRates(writer, rates.Base);
        if (rates.LongContext.Count > 0)
        {
            writer.WriteStartArray("longContext");
            foreach (var tier in rates.LongContext)
            {
                writer.WriteStartObject();
                writer.WriteNumber("aboveInputTokens", tier.AboveInputTokens);
                WriteRates(writer, tier.Rates);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
    }

    private static void WriteRates(Utf8JsonWriter writer, PriceRates rates)
    {
        Number(writer, "input", rates.Input);
        Number(writer, "cachedInput", rates.CachedInput);
        Number(writer, "cacheWrite", rates.CacheWrite);
        Number(writer, "cacheWrite1h", rates.CacheWrite1h);
        Number(writer, "output", rates.Output);
        Number(writer, "audioInput", rates.AudioInput);
        Number(writer, "audioOutput", rates.AudioOutput);
        Number(writer, "imageInput", rates.ImageInput);
        Number(writer, "imageOutput", rates.ImageOutput);
        Number(writer, "videoInput", rates.VideoInput);
    }

    private static void Number(Utf8JsonWriter writer, string name, decimal? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, Normalize(v));
        }
    }

    /// <summary>Removes trailing zeros (2.50 → 2.5), so the same rate is always written the same way.</summary>
    internal static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    internal static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A period's start as the table writes it: <c>yyyy-MM-dd</c>, or the UTC instant <c>yyyy-MM-ddTHH:mm:ssZ</c> for a period that starts during its day.</summary>
    internal static string Start(PricePeriod period) =>
        period.EffectiveFromTime == TimeOnly.MinValue
            ? Date(period.EffectiveFrom)
            : Date(period.EffectiveFrom) + "T" + period.EffectiveFromTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "Z";
}
