using System.Globalization;

namespace LlmCost.Sdk;

/// <summary>
/// Bedrock InvokeModel and InvokeModelWithResponseStream: the token-count response headers (any vendor's body), the
/// Anthropic Messages usage of Claude bodies, and the <c>amazon-bedrock-invocationMetrics</c> Bedrock adds to the last
/// streamed chunk.
/// </summary>
/// <remarks>
/// <para>Every source counts input the same way, without cache reads and writes, which Bedrock reports apart:
/// the <c>X-Amzn-Bedrock-Input-Token-Count</c> header, Anthropic's <c>input_tokens</c> and the metrics'
/// <c>inputTokenCount</c> are the uncached input; <c>…-Cache-Read-Input-Token-Count</c> / <c>cache_read_input_tokens</c> /
/// <c>cacheReadInputTokenCount</c> and the cache-write trio are the cache parts. Each source sets the same fields, so
/// a later one replaces an earlier one (headers, then body, then the final metrics) and nothing is counted twice.</para>
/// <para>The body's <c>model</c> is not read: the record keeps the Bedrock model id (or inference profile) of the URL,
/// which is what Bedrock prices. InvokeModel with a non-Anthropic body (Llama, Nova, Mistral, Titan) is priced from the
/// headers; a streamed one from the final chunk's metrics.</para>
/// </remarks>
internal sealed class BedrockInvokeUsageMapping : UsageMapping
{
    public static readonly BedrockInvokeUsageMapping Instance = new();

    internal const string InputTokenCountHeader = "X-Amzn-Bedrock-Input-Token-Count";
    internal const string OutputTokenCountHeader = "X-Amzn-Bedrock-Output-Token-Count";
    internal const string CacheReadInputTokenCountHeader = "X-Amzn-Bedrock-Cache-Read-Input-Token-Count";
    internal const string CacheWriteInputTokenCountHeader = "X-Amzn-Bedrock-Cache-Write-Input-Token-Count";

    // Anthropic Messages (message, message_start, message_delta)
    private static readonly ulong Usage = JsonPath.Hash("usage"u8);
    private static readonly ulong Message = JsonPath.Hash("message"u8);
    private static readonly ulong InputTokens = JsonPath.Hash("input_tokens"u8);
    private static readonly ulong OutputTokens = JsonPath.Hash("output_tokens"u8);
    private static readonly ulong CacheRead = JsonPath.Hash("cache_read_input_tokens"u8);
    private static readonly ulong CacheCreation = JsonPath.Hash("cache_creation_input_tokens"u8);
    private static readonly ulong CacheCreationDetails = JsonPath.Hash("cache_creation"u8);
    private static readonly ulong OneHour = JsonPath.Hash("ephemeral_1h_input_tokens"u8);

    // Bedrock's invocation metrics on the last streamed chunk, whatever the vendor
    private static readonly ulong InvocationMetrics = JsonPath.Hash("amazon-bedrock-invocationMetrics"u8);
    private static readonly ulong InputTokenCount = JsonPath.Hash("inputTokenCount"u8);
    private static readonly ulong OutputTokenCount = JsonPath.Hash("outputTokenCount"u8);
    private static readonly ulong CacheReadInputTokenCount = JsonPath.Hash("cacheReadInputTokenCount"u8);
    private static readonly ulong CacheWriteInputTokenCount = JsonPath.Hash("cacheWriteInputTokenCount"u8);

    public override int MaxDepth => 4;

    public override UsageField Match(in JsonPath path)
    {
        if (path.Unnamed)
        {
            return UsageField.None;
        }

        switch (path.Depth)
        {
            case 2:
                return path[0] == Usage ? AnthropicCount(path[1])
                    : path[0] == InvocationMetrics ? MetricsCount(path[1])
                    : UsageField.None;
            case 3:
                return path.StartsWith(Message, Usage) ? AnthropicCount(path[2])
                    : path.Is(Usage, CacheCreationDetails, OneHour) ? UsageField.CacheWrite1h
                    : UsageField.None;
            case 4:
                return path.Is(Message, Usage, CacheCreationDetails, OneHour) ? UsageField.CacheWrite1h : UsageField.None;
            default:
                return UsageField.None;
        }
    }

    /// <summary>Reads InvokeModel's token-count headers, which Bedrock sends for every vendor's model. Never throws.</summary>
    public override void OnResponse(HttpResponseMessage response, UsageAccumulator usage)
    {
        var headers = response.Headers.NonValidated;
        SetFromHeader(headers, InputTokenCountHeader, UsageField.UncachedInput, usage);
        SetFromHeader(headers, OutputTokenCountHeader, UsageField.Output, usage);
        SetFromHeader(headers, CacheReadInputTokenCountHeader, UsageField.CacheRead, usage);
        SetFromHeader(headers, CacheWriteInputTokenCountHeader, UsageField.CacheWrite, usage);
    }

    private static void SetFromHeader(System.Net.Http.Headers.HttpHeadersNonValidated headers, string name, UsageField field, UsageAccumulator usage)
    {
        if (headers.TryGetValues(name, out var values) && values.Count == 1
            && long.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            usage.Set(field, count);
        }
    }

    private static UsageField AnthropicCount(ulong name) =>
        name == InputTokens ? UsageField.UncachedInput
        : name == OutputTokens ? UsageField.Output
        : name == CacheRead ? UsageField.CacheRead
        : name == CacheCreation ? UsageField.CacheWrite
        : UsageField.None;

    private static UsageField MetricsCount(ulong name) =>
        name == InputTokenCount ? UsageField.UncachedInput
        : name == OutputTokenCount ? UsageField.Output
        : name == CacheReadInputTokenCount ? UsageField.CacheRead
        : name == CacheWriteInputTokenCount ? UsageField.CacheWrite
        : UsageField.None;
}
