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
/// <para>Final usage (<see cref="IsFinal"/>): the headers, the invocation metrics (on the last chunk), or a Claude
/// <c>message_stop</c>; a Claude <c>message_start</c>'s usage is partial, as on Anthropic's own API.</para>
/// </remarks>
internal sealed class BedrockInvokeUsageMapping : UsageMapping
{
    public static readonly BedrockInvokeUsageMapping Instance = new();

    internal const string InputTokenCountHeader = "X-Amzn-Bedrock-Input-Token-Count";
    internal const string OutputTokenCountHeader = "X-Amzn-Bedrock-Output-Token-Count";
    internal const string CacheReadInputTokenCountHeader = "X-Amzn-Bedrock-Cache-Read-Input-Token-Count";
    internal const string CacheWriteInputTokenCountHeader = "X-Amzn-Bedrock-Cache-Write-Input-Token-Count";

    // Bedrock's invocation metrics on the last streamed chunk, whatever the vendor
    private static readonly ulong InvocationMetrics = JsonPath.Hash("amazon-bedrock-invocationMetrics"u8);
    private static readonly ulong InputTokenCount = JsonPath.Hash("inputTokenCount"u8);
    private static readonly ulong OutputTokenCount = JsonPath.Hash("outputTokenCount"u8);
    private static readonly ulong CacheReadInputTokenCount = JsonPath.Hash("cacheReadInputTokenCount"u8);
    private static readonly ulong CacheWriteInputTokenCount = JsonPath.Hash("cacheWriteInputTokenCount"u8);

    public override int MaxDepth => AnthropicUsageMapping.Instance.MaxDepth;

    public override UsageField Match(in JsonPath path)
    {
        if (!path.Unnamed && path.Depth == 2 && path[0] == InvocationMetrics)
        {
            return MetricsCount(path[1]);
        }

        // A Claude body is Anthropic's Messages format; its model and tier are Anthropic's names, not the Bedrock model
        // id and tier that Bedrock bills, so only the counts are taken.
        var field = AnthropicUsageMapping.Instance.Match(in path);
        return field is UsageField.Model or UsageField.ServiceTier ? UsageField.None : field;
    }

    public override bool IsFinal(in JsonPath path) => !path.Unnamed && path.Depth == 2 && path[0] == InvocationMetrics;

    public override bool IsFinalMarker(ReadOnlySpan<byte> value) => AnthropicUsageMapping.Instance.IsFinalMarker(value);

    public override bool ReadsResponseHeaders => true;

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
            usage.MarkFinal(); // headers come whole, with the counts of the whole response
        }
    }

    private static UsageField MetricsCount(ulong name) =>
        name == InputTokenCount ? UsageField.UncachedInput
        : name == OutputTokenCount ? UsageField.Output
        : name == CacheReadInputTokenCount ? UsageField.CacheRead
        : name == CacheWriteInputTokenCount ? UsageField.CacheWrite
        : UsageField.None;
}
