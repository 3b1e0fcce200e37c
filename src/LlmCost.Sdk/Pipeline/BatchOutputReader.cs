using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// Turns a batch job's results file into records, one per line, priced at the batch rate
/// (<see cref="ILlmCostTracker.TrackBatchOutputAsync"/>): OpenAI's Batch API output and error files (also Azure OpenAI's),
/// and Anthropic's Message Batches results.
/// </summary>
/// <remarks>
/// Offline work, so each line is parsed with <see cref="JsonDocument"/>; the response body inside is then read by the
/// same usage mapping as a live call (<see cref="OpenAIUsageMapping"/>, <see cref="AnthropicUsageMapping"/>), so a
/// batch record and a live record of the same response agree. A line that cannot be read is counted as malformed,
/// logged and skipped; it never stops the file.
/// </remarks>
internal sealed class BatchOutputReader
{
    private const string BatchTier = "batch";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly Func<DateTimeOffset, Guid> _newId;
    private readonly TimeProvider _time;
    private readonly PriceTable? _knownModels;

    /// <param name="newId">Makes a record's id from its timestamp.</param>
    /// <param name="time">The clock, for lines whose body has no creation time.</param>
    /// <param name="knownModels">The table whose model names are kept without allocating, if any.</param>
    public BatchOutputReader(Func<DateTimeOffset, Guid> newId, TimeProvider time, PriceTable? knownModels)
    {
        _newId = newId;
        _time = time;
        _knownModels = knownModels;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a provider whose batch format is not read.</summary>
    public static void CheckProvider(string provider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        if (MappingFor(provider) is null)
        {
            throw new ArgumentException($"Batch results of provider '{provider}' are not supported; use '{LlmProviders.OpenAI}', '{LlmProviders.AzureOpenAI}' or '{LlmProviders.Anthropic}'.", nameof(provider));
        }
    }

    /// <summary>
    /// Reads a results file line by line: each readable line gives its unpriced record (cost only when the provider
    /// reported it), each unreadable line its number with a <see langword="null"/> record. Blank lines are skipped.
    /// </summary>
    public async IAsyncEnumerable<(int Line, CostRecord? Record)> ReadAsync(
        Stream output, string provider, LlmCostTags tags, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        CheckProvider(provider);
        var mapping = MappingFor(provider)!;
        using var reader = new StreamReader(output, Utf8NoBom, detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024, leaveOpen: true);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            yield return (lineNumber, TryReadLine(line, provider, mapping, tags, out var record) ? record : null);
        }
    }

    private static UsageMapping? MappingFor(string provider) => provider switch
    {
        LlmProviders.OpenAI or LlmProviders.AzureOpenAI => OpenAIUsageMapping.Instance,
        LlmProviders.Anthropic => AnthropicUsageMapping.Instance,
        _ => null,
    };

    private bool TryReadLine(string line, string provider, UsageMapping mapping, LlmCostTags tags, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CostRecord? facts)
    {
        facts = null;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            return mapping is AnthropicUsageMapping
                ? TryReadAnthropic(root, provider, tags, out facts)
                : TryReadOpenAI(root, provider, tags, out facts);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary><c>{"id","custom_id","response":{"status_code","request_id","body"},"error":{"code","message"}}</c>.</summary>
    private bool TryReadOpenAI(JsonElement root, string provider, LlmCostTags tags, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CostRecord? facts)
    {
        facts = null;
        if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object)
        {
            int? status = response.TryGetProperty("status_code", out var s) && s.TryGetInt32(out var code) ? code : null;
            if (!response.TryGetProperty("body", out var body) || body.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (status is >= 200 and < 300)
            {
                facts = Succeeded(provider, OperationOf(body), OpenAIUsageMapping.Instance, body, status, tags, CreatedAt(body));
                return true;
            }

            // A request the API refused: its body is an error, it has no usage and costs nothing.
            facts = Failed(provider, LlmOperations.Chat, status, status?.ToString(CultureInfo.InvariantCulture) ?? "error", tags);
            return true;
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            // The error file: the request never ran (batch_expired, batch_cancelled, …).
            var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            facts = Failed(provider, LlmOperations.Chat, statusCode: null, string.IsNullOrEmpty(code) ? "error" : code, tags);
            return true;
        }

        return false;
    }

    /// <summary><c>{"custom_id","result":{"type":"succeeded","message":{…}}}</c>, or <c>errored</c> (with <c>error</c>), <c>canceled</c>, <c>expired</c>.</summary>
    private bool TryReadAnthropic(JsonElement root, string provider, LlmCostTags tags, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CostRecord? facts)
    {
        facts = null;
        if (!root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object
            || !result.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        switch (t.GetString())
        {
            case "succeeded":
                if (!result.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }

                facts = Succeeded(provider, LlmOperations.Chat, AnthropicUsageMapping.Instance, message, 200, tags, timestamp: null);
                return true;
            case "errored":
                // {"type":"error","error":{"type":"invalid_request_error","message":…}}
                var errorType = result.TryGetProperty("error", out var outer) && outer.ValueKind == JsonValueKind.Object
                    && outer.TryGetProperty("error", out var inner) && inner.ValueKind == JsonValueKind.Object
                    && inner.TryGetProperty("type", out var innerType) && innerType.ValueKind == JsonValueKind.String
                        ? innerType.GetString()
                        : null;
                facts = Failed(provider, LlmOperations.Chat, statusCode: null, string.IsNullOrEmpty(errorType) ? "errored" : errorType, tags);
                return true;
            case "canceled":
                facts = Failed(provider, LlmOperations.Chat, statusCode: null, "canceled", tags);
                return true;
            case "expired":
                facts = Failed(provider, LlmOperations.Chat, statusCode: null, "expired", tags);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Reads a response body's usage with the provider's live mapping, fed the body's raw UTF-8 bytes.</summary>
    private CostRecord Succeeded(string provider, string operation, UsageMapping mapping, JsonElement body, int? statusCode, LlmCostTags tags, DateTimeOffset? timestamp)
    {
        var usage = new UsageAccumulator(_knownModels);
        var scanner = new JsonScanner(mapping, usage);
        try
        {
            scanner.Write(JsonMarshal.GetRawUtf8Value(body));
            scanner.Complete();
        }
        finally
        {
            scanner.Release();
        }

        var at = timestamp ?? _time.GetUtcNow();
        return new CostRecord
        {
            Id = _newId(at),
            Provider = provider,
            Operation = operation,
            Model = usage.Model,
            RequestModel = usage.RequestModel,
            ServiceTier = BatchTier,
            Cost = usage.ReportedCost is { } reported ? new CostBreakdown { Currency = "USD", Total = reported, ReportedByProvider = true } : null,
            Streaming = false,
            StatusCode = statusCode,
            Timestamp = at,
            Tags = tags,
            Usage = usage.ToUsage(),
        };
    }

    private CostRecord Failed(string provider, string operation, int? statusCode, string errorType, LlmCostTags tags) => Failed(provider, operation, statusCode, errorType, tags, _time.GetUtcNow());

    private CostRecord Failed(string provider, string operation, int? statusCode, string errorType, LlmCostTags tags, DateTimeOffset at) => new()
    {
        Id = _newId(at),
        Provider = provider,
        Operation = operation,
        ServiceTier = BatchTier,
        StatusCode = statusCode,
        ErrorType = errorType,
        Timestamp = at,
        Tags = tags,
        Usage = TokenUsage.None,
    };

    /// <summary>The operation a body answers: an embeddings list, a legacy text completion, or a chat (Chat Completions or Responses).</summary>
    private static string OperationOf(JsonElement body) =>
        body.TryGetProperty("object", out var o) && o.ValueKind == JsonValueKind.String
            ? o.GetString() switch
            {
                "list" => LlmOperations.Embeddings,
                "text_completion" => LlmOperations.TextCompletion,
                _ => LlmOperations.Chat,
            }
            : LlmOperations.Chat;

    /// <summary>When the provider created the response: <c>created</c> (Chat Completions, embeddings have none) or <c>created_at</c> (Responses), in Unix seconds.</summary>
    private static DateTimeOffset? CreatedAt(JsonElement body)
    {
        foreach (var name in (ReadOnlySpan<string>)["created", "created_at"])
        {
            if (body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
                && seconds is > 0 and < 253_402_300_800)
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }
        }

        return null;
    }
}
