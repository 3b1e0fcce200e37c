using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// The JSON form of <see cref="CostRecord"/> (docs/ARCHITECTURE.md, "The record"): camelCase, one object per record,
/// custom tags beside the standard ones, timestamps in UTC with milliseconds, money as JSON numbers.
/// </summary>
/// <remarks>Hand-written over <see cref="Utf8JsonWriter"/> so the format is exact and allocation-light.</remarks>
internal static class CostRecordJson
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>
    /// Writes '+' (the <c>+custom</c> table-version suffix) and non-ASCII tag values as themselves rather than <c>\u002B</c>:
    /// records are JSON Lines for tools, never embedded in HTML, so HTML-sensitive characters need no escaping.
    /// </summary>
    internal static readonly System.Text.Encodings.Web.JavaScriptEncoder Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Writes the record's JSON as UTF-8 to <paramref name="output"/> through one writer reused per thread (no allocation).</summary>
    public static void WriteTo(IBufferWriter<byte> output, CostRecord record)
    {
        var writer = t_writer;
        if (writer is null)
        {
            writer = t_writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Encoder });
        }
        else
        {
            writer.Reset(output);
        }

        try
        {
            Write(writer, record);
            writer.Flush();
        }
        finally
        {
            writer.Reset(NoOutput.Instance); // the thread's writer keeps no reference to the caller's buffer
        }
    }

    public static string Serialize(CostRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        WriteTo(buffer, record);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Write(Utf8JsonWriter writer, CostRecord record)
    {
        Span<char> timestamp = stackalloc char[24];
        record.Timestamp.UtcDateTime.TryFormat(timestamp, out var written, TimestampFormat, CultureInfo.InvariantCulture);

        writer.WriteStartObject();
        writer.WriteString("id"u8, record.Id);
        writer.WriteString("timestamp"u8, timestamp[..written]);
        writer.WriteString("provider"u8, record.Provider);
        writer.WriteString("operation"u8, record.Operation);
        WriteNullableString(writer, "model"u8, record.Model);
        WriteNullableString(writer, "requestModel"u8, record.RequestModel);
        if (record.ServiceTier is { } tier)
        {
            writer.WriteString("serviceTier"u8, tier);
        }

        if (record.Region is { } region)
        {
            writer.WriteString("region"u8, region);
        }

        writer.WriteBoolean("streaming"u8, record.Streaming);
        if (record.StatusCode is { } status)
        {
            writer.WriteNumber("statusCode"u8, status);
        }
        else
        {
            writer.WriteNull("statusCode"u8);
        }

        WriteNullableString(writer, "errorType"u8, record.ErrorType);
        writer.WriteNumber("durationMs"u8, Math.Round(record.DurationMs, 3));

        var tags = record.Tags;
        writer.WriteStartObject("tags"u8);
        WriteNullableString(writer, "feature"u8, tags.Feature);
        WriteNullableString(writer, "team"u8, tags.Team);
        WriteNullableString(writer, "customer"u8, tags.Customer);
        WriteNullableString(writer, "environment"u8, tags.Environment);
        foreach (var (key, value) in tags.CustomTags)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();

        var usage = record.Usage;
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("inputTokens"u8, usage.InputTokens);
        writer.WriteNumber("cachedInputTokens"u8, usage.CachedInputTokens);
        writer.WriteNumber("cacheWriteInputTokens"u8, usage.CacheWriteInputTokens);
        if (usage.CacheWrite1hInputTokens != 0)
        {
            writer.WriteNumber("cacheWrite1hInputTokens"u8, usage.CacheWrite1hInputTokens);
        }

        writer.WriteNumber("outputTokens"u8, usage.OutputTokens);
        writer.WriteNumber("reasoningTokens"u8, usage.ReasoningTokens);
        if (usage.WebSearchRequests != 0)
        {
            writer.WriteNumber("webSearchRequests"u8, usage.WebSearchRequests);
        }

        WriteIfNotZero(writer, "audioInputTokens"u8, usage.AudioInputTokens);
        WriteIfNotZero(writer, "audioOutputTokens"u8, usage.AudioOutputTokens);
        WriteIfNotZero(writer, "imageInputTokens"u8, usage.ImageInputTokens);
        WriteIfNotZero(writer, "imageOutputTokens"u8, usage.ImageOutputTokens);
        WriteIfNotZero(writer, "videoInputTokens"u8, usage.VideoInputTokens);
        WriteIfNotZero(writer, "videoOutputTokens"u8, usage.VideoOutputTokens);
        writer.WriteString("source"u8, SourceName(usage.Source));
        writer.WriteEndObject();

        if (record.Cost is { } cost)
        {
            writer.WriteStartObject("cost"u8);
            writer.WriteString("currency"u8, cost.Currency);
            writer.WriteNumber("input"u8, Plain(cost.Input));
            writer.WriteNumber("cachedInput"u8, Plain(cost.CachedInput));
            writer.WriteNumber("cacheWrite"u8, Plain(cost.CacheWrite));
            writer.WriteNumber("output"u8, Plain(cost.Output));
            if (cost.Requests != 0)
            {
                writer.WriteNumber("requests"u8, Plain(cost.Requests));
            }

            writer.WriteNumber("total"u8, Plain(cost.Total));
            if (cost.ReportedByProvider)
            {
                writer.WriteString("source"u8, "provider"u8);
            }

            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("cost"u8);
        }

        if (record.Price is { } price)
        {
            // A date, or for a period that started during its day (DeepSeek's 16:00 UTC price change) the UTC instant.
            Span<char> date = stackalloc char[20];
            price.EffectiveFrom.TryFormat(date, out var dateLength, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (price.EffectiveFromTime != TimeOnly.MinValue)
            {
                date[dateLength++] = 'T';
                price.EffectiveFromTime.TryFormat(date[dateLength..], out var timeLength, "HH:mm:ss", CultureInfo.InvariantCulture);
                dateLength += timeLength;
                date[dateLength++] = 'Z';
            }

            writer.WriteStartObject("price"u8);
            writer.WriteString("tableVersion"u8, price.TableVersion);
            writer.WriteString("entry"u8, price.Entry);
            writer.WriteString("effectiveFrom"u8, date[..dateLength]);
            if (price.RequestModelFallback)
            {
                writer.WriteBoolean("requestModelFallback"u8, true);
            }

            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("price"u8);
        }

        writer.WriteEndObject();
    }

    public static CostRecord Deserialize(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        try
        {
            return new CostRecord
            {
                Id = root.GetProperty("id").GetGuid(),
                Timestamp = root.GetProperty("timestamp").GetDateTimeOffset(),
                Provider = root.GetProperty("provider").GetString() ?? throw new JsonException("'provider' is null."),
                Operation = root.GetProperty("operation").GetString() ?? throw new JsonException("'operation' is null."),
                Model = GetString(root, "model"),
                RequestModel = GetString(root, "requestModel"),
                ServiceTier = GetString(root, "serviceTier"),
                Region = GetString(root, "region"),
                Streaming = root.TryGetProperty("streaming", out var streaming) && streaming.GetBoolean(),
                StatusCode = root.TryGetProperty("statusCode", out var status) && status.ValueKind == JsonValueKind.Number ? status.GetInt32() : null,
                ErrorType = GetString(root, "errorType"),
                DurationMs = root.TryGetProperty("durationMs", out var duration) ? duration.GetDouble() : 0,
                Tags = ReadTags(root),
                Usage = ReadUsage(root),
                Cost = ReadCost(root),
                Price = ReadPrice(root),
            };
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new JsonException("The JSON is not a valid cost record: " + ex.Message, ex);
        }
    }

    private static LlmCostTags ReadTags(JsonElement root)
    {
        if (!root.TryGetProperty("tags", out var tags) || tags.ValueKind != JsonValueKind.Object)
        {
            return LlmCostTags.Empty;
        }

        Dictionary<string, string>? custom = null;
        foreach (var property in tags.EnumerateObject())
        {
            switch (property.Name)
            {
                case "feature" or "team" or "customer" or "environment":
                    break;
                default:
                    (custom ??= new(StringComparer.Ordinal))[property.Name] = property.Value.GetString() ?? string.Empty;
                    break;
            }
        }

        return LlmCostTags.CreateReadOnly(
            GetString(tags, "feature"), GetString(tags, "team"), GetString(tags, "customer"), GetString(tags, "environment"), custom);
    }

    private static TokenUsage ReadUsage(JsonElement root)
    {
        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return TokenUsage.None;
        }

        return new TokenUsage
        {
            InputTokens = usage.GetProperty("inputTokens").GetInt64(),
            CachedInputTokens = usage.GetProperty("cachedInputTokens").GetInt64(),
            CacheWriteInputTokens = usage.GetProperty("cacheWriteInputTokens").GetInt64(),
            CacheWrite1hInputTokens = usage.TryGetProperty("cacheWrite1hInputTokens", out var oneHour) ? oneHour.GetInt64() : 0,
            OutputTokens = usage.GetProperty("outputTokens").GetInt64(),
            ReasoningTokens = usage.GetProperty("reasoningTokens").GetInt64(),
            WebSearchRequests = usage.TryGetProperty("webSearchRequests", out var searches) ? searches.GetInt64() : 0,
            AudioInputTokens = usage.TryGetProperty("audioInputTokens", out var audioIn) ? audioIn.GetInt64() : 0,
            AudioOutputTokens = usage.TryGetProperty("audioOutputTokens", out var audioOut) ? audioOut.GetInt64() : 0,
            ImageInputTokens = usage.TryGetProperty("imageInputTokens", out var imageIn) ? imageIn.GetInt64() : 0,
            ImageOutputTokens = usage.TryGetProperty("imageOutputTokens", out var imageOut) ? imageOut.GetInt64() : 0,
            VideoInputTokens = usage.TryGetProperty("videoInputTokens", out var videoIn) ? videoIn.GetInt64() : 0,
            VideoOutputTokens = usage.TryGetProperty("videoOutputTokens", out var videoOut) ? videoOut.GetInt64() : 0,
            Source = ParseSource(GetString(usage, "source")),
        };
    }

    private static CostBreakdown? ReadCost(JsonElement root)
    {
        if (!root.TryGetProperty("cost", out var cost) || cost.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return new CostBreakdown
        {
            Currency = GetString(cost, "currency") ?? "USD",
            Input = cost.GetProperty("input").GetDecimal(),
            CachedInput = cost.GetProperty("cachedInput").GetDecimal(),
            CacheWrite = cost.GetProperty("cacheWrite").GetDecimal(),
            Output = cost.GetProperty("output").GetDecimal(),
            Requests = cost.TryGetProperty("requests", out var requests) ? requests.GetDecimal() : 0,
            Total = cost.GetProperty("total").GetDecimal(),
            ReportedByProvider = GetString(cost, "source") == "provider",
        };
    }

    private static PriceReference? ReadPrice(JsonElement root)
    {
        if (!root.TryGetProperty("price", out var price) || price.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var from = price.GetProperty("effectiveFrom").GetString();
        if (!PriceTable.TryParseStart(from, out var day, out var time))
        {
            throw new FormatException($"'price.effectiveFrom' must be a date (yyyy-MM-dd) or a UTC instant (yyyy-MM-ddTHH:mm:ssZ), not '{from}'.");
        }

        return new PriceReference
        {
            TableVersion = price.GetProperty("tableVersion").GetString() ?? string.Empty,
            Entry = price.GetProperty("entry").GetString() ?? string.Empty,
            EffectiveFrom = day,
            EffectiveFromTime = time,
            RequestModelFallback = price.TryGetProperty("requestModelFallback", out var fallback) && fallback.ValueKind == JsonValueKind.True,
        };
    }

    /// <summary>Removes trailing zeros (2.50m × 176 × 0.000001m is 0.00044000000m) so money prints plainly: 0.00044.</summary>
    private static decimal Plain(decimal value) => value / 1.0000000000000000000000000000m;

    private static void WriteIfNotZero(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value)
    {
        if (value != 0)
        {
            writer.WriteNumber(name, value);
        }
    }

    internal static string SourceName(UsageSource source) => source switch
    {
        UsageSource.Provider => "provider",
        UsageSource.Estimated => "estimated",
        _ => "none",
    };

    private static UsageSource ParseSource(string? value) => value switch
    {
        "provider" => UsageSource.Provider,
        "estimated" => UsageSource.Estimated,
        _ => UsageSource.None,
    };

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void WriteNullableString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>The output a parked writer points at; never written to.</summary>
    private sealed class NoOutput : IBufferWriter<byte>
    {
        public static readonly NoOutput Instance = new();

        public void Advance(int count) => throw new InvalidOperationException("A parked writer was used.");

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new InvalidOperationException("A parked writer was used.");

        public Span<byte> GetSpan(int sizeHint = 0) => throw new InvalidOperationException("A parked writer was used.");
    }
}
