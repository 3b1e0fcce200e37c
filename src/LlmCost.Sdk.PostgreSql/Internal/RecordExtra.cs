using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// The <c>extra</c> column of schema version 5: the fields of a record that no column holds, as a small JSON object,
/// <c>NULL</c> when there are none. With the columns it is the whole record (<see cref="Read"/> rebuilds it, so its
/// <see cref="CostRecord.ToJson"/> is the JSON the sink was given). Its members, each present only when it says something:
/// <code>
/// {"tags":{ custom tags, in the record's order },
///  "usage":{"audioInputTokens":…,"audioOutputTokens":…,"imageInputTokens":…,"imageOutputTokens":…,"videoInputTokens":…,"videoOutputTokens":…},
///  "cost":{"currency":"EUR","input":…,"cachedInput":…,"cacheWrite":…,"output":…,"requests":…,"source":"provider"},
///  "price":{"effectiveFromTime":"16:00:00","requestModelFallback":true}}
/// </code>
/// (a cost part is written when not zero, the currency when not USD; the total, the token counts with a column, the
/// tags with a column and the price's date are columns). The documented query for a custom tag:
/// <c>extra::json-&gt;'tags'-&gt;&gt;'experiment'</c>.
/// </summary>
internal static class RecordExtra
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Whether the record has any field that no column holds (when not, <c>extra</c> is <c>NULL</c>).</summary>
    public static bool HasExtra(CostRecord record) =>
        record.Tags.Custom.Count != 0 || HasRareCounts(record.Usage) || HasCostParts(record.Cost) || HasPriceDetail(record.Price);

    /// <summary>Whether the usage has a count no column holds (audio, image, video).</summary>
    private static bool HasRareCounts(TokenUsage usage) =>
        (usage.AudioInputTokens | usage.AudioOutputTokens | usage.ImageInputTokens | usage.ImageOutputTokens | usage.VideoInputTokens | usage.VideoOutputTokens) != 0;

    /// <summary>Whether the cost says more than its total (a part, the provider as its source, another currency).</summary>
    private static bool HasCostParts([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] CostBreakdown? cost) =>
        cost is not null
        && (cost.Input != 0 || cost.CachedInput != 0 || cost.CacheWrite != 0 || cost.Output != 0 || cost.Requests != 0
            || cost.ReportedByProvider || !string.Equals(cost.Currency, "USD", StringComparison.Ordinal));

    /// <summary>Whether the price reference says more than its columns (a start time within the day, the fallback flag).</summary>
    private static bool HasPriceDetail([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] PriceReference? price) =>
        price is not null && (price.EffectiveFromTime != TimeOnly.MinValue || price.RequestModelFallback);

    /// <summary>Creates the writer <see cref="Write"/> uses (one per encoder, reused with <see cref="Utf8JsonWriter.Reset(IBufferWriter{byte})"/>).</summary>
    public static Utf8JsonWriter CreateWriter(IBufferWriter<byte> output) => new(output, WriterOptions);

    /// <summary>Writes the object (call only when <see cref="HasExtra"/>).</summary>
    public static void Write(Utf8JsonWriter writer, CostRecord record)
    {
        writer.WriteStartObject();
        var custom = record.Tags.Custom;
        if (custom.Count != 0)
        {
            writer.WriteStartObject("tags"u8);
            foreach (var (key, value) in custom)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        var usage = record.Usage;
        if (HasRareCounts(usage))
        {
            writer.WriteStartObject("usage"u8);
            WriteIfNotZero(writer, "audioInputTokens"u8, usage.AudioInputTokens);
            WriteIfNotZero(writer, "audioOutputTokens"u8, usage.AudioOutputTokens);
            WriteIfNotZero(writer, "imageInputTokens"u8, usage.ImageInputTokens);
            WriteIfNotZero(writer, "imageOutputTokens"u8, usage.ImageOutputTokens);
            WriteIfNotZero(writer, "videoInputTokens"u8, usage.VideoInputTokens);
            WriteIfNotZero(writer, "videoOutputTokens"u8, usage.VideoOutputTokens);
            writer.WriteEndObject();
        }

        var cost = record.Cost;
        if (HasCostParts(cost))
        {
            writer.WriteStartObject("cost"u8);
            if (!string.Equals(cost.Currency, "USD", StringComparison.Ordinal))
            {
                writer.WriteString("currency"u8, cost.Currency);
            }

            WriteIfNotZero(writer, "input"u8, cost.Input);
            WriteIfNotZero(writer, "cachedInput"u8, cost.CachedInput);
            WriteIfNotZero(writer, "cacheWrite"u8, cost.CacheWrite);
            WriteIfNotZero(writer, "output"u8, cost.Output);
            WriteIfNotZero(writer, "requests"u8, cost.Requests);
            if (cost.ReportedByProvider)
            {
                writer.WriteString("source"u8, "provider"u8);
            }

            writer.WriteEndObject();
        }

        var price = record.Price;
        if (HasPriceDetail(price))
        {
            writer.WriteStartObject("price"u8);
            if (price.EffectiveFromTime != TimeOnly.MinValue)
            {
                Span<char> time = stackalloc char[8];
                price.EffectiveFromTime.TryFormat(time, out var length, "HH:mm:ss", CultureInfo.InvariantCulture);
                writer.WriteString("effectiveFromTime"u8, time[..length]);
            }

            if (price.RequestModelFallback)
            {
                writer.WriteBoolean("requestModelFallback"u8, true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>What <c>extra</c> holds, parsed (all defaults for <c>NULL</c>).</summary>
    public static Parsed Read(string? extra)
    {
        var parsed = new Parsed();
        if (extra is null)
        {
            return parsed;
        }

        using var document = JsonDocument.Parse(extra);
        var root = document.RootElement;
        if (root.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Object)
        {
            parsed.CustomTags = [];
            foreach (var property in tags.EnumerateObject())
            {
                parsed.CustomTags.Add(new(property.Name, property.Value.GetString() ?? string.Empty));
            }
        }

        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            parsed.AudioInputTokens = Int64(usage, "audioInputTokens");
            parsed.AudioOutputTokens = Int64(usage, "audioOutputTokens");
            parsed.ImageInputTokens = Int64(usage, "imageInputTokens");
            parsed.ImageOutputTokens = Int64(usage, "imageOutputTokens");
            parsed.VideoInputTokens = Int64(usage, "videoInputTokens");
            parsed.VideoOutputTokens = Int64(usage, "videoOutputTokens");
        }

        if (root.TryGetProperty("cost", out var cost) && cost.ValueKind == JsonValueKind.Object)
        {
            if (cost.TryGetProperty("currency", out var currency) && currency.ValueKind == JsonValueKind.String)
            {
                parsed.Currency = currency.GetString() ?? "USD";
            }

            parsed.Input = Decimal(cost, "input");
            parsed.CachedInput = Decimal(cost, "cachedInput");
            parsed.CacheWrite = Decimal(cost, "cacheWrite");
            parsed.Output = Decimal(cost, "output");
            parsed.Requests = Decimal(cost, "requests");
            parsed.ReportedByProvider = cost.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String && source.GetString() == "provider";
        }

        if (root.TryGetProperty("price", out var price) && price.ValueKind == JsonValueKind.Object)
        {
            if (price.TryGetProperty("effectiveFromTime", out var time) && time.ValueKind == JsonValueKind.String)
            {
                parsed.EffectiveFromTime = TimeOnly.ParseExact(time.GetString()!, "HH:mm:ss", CultureInfo.InvariantCulture);
            }

            parsed.RequestModelFallback = price.TryGetProperty("requestModelFallback", out var fallback) && fallback.ValueKind == JsonValueKind.True;
        }

        return parsed;
    }

    private static long Int64(JsonElement element, string name) => element.TryGetProperty(name, out var value) ? value.GetInt64() : 0;

    private static decimal Decimal(JsonElement element, string name) => element.TryGetProperty(name, out var value) ? value.GetDecimal() : 0;

    private static void WriteIfNotZero(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value)
    {
        if (value != 0)
        {
            writer.WriteNumber(name, value);
        }
    }

    private static void WriteIfNotZero(Utf8JsonWriter writer, ReadOnlySpan<byte> name, decimal value)
    {
        if (value != 0)
        {
            writer.WriteNumber(name, value);
        }
    }

    /// <summary>The fields of <c>extra</c>, defaults where absent.</summary>
    internal sealed class Parsed
    {
        public List<KeyValuePair<string, string>>? CustomTags { get; set; }

        public long AudioInputTokens { get; set; }

        public long AudioOutputTokens { get; set; }

        public long ImageInputTokens { get; set; }

        public long ImageOutputTokens { get; set; }

        public long VideoInputTokens { get; set; }

        public long VideoOutputTokens { get; set; }

        public string Currency { get; set; } = "USD";

        public decimal Input { get; set; }

        public decimal CachedInput { get; set; }

        public decimal CacheWrite { get; set; }

        public decimal Output { get; set; }

        public decimal Requests { get; set; }

        public bool ReportedByProvider { get; set; }

        public TimeOnly EffectiveFromTime { get; set; }

        public bool RequestModelFallback { get; set; }
    }
}
