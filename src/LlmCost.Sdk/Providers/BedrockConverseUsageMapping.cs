namespace LlmCost.Sdk;

/// <summary>
/// Bedrock Converse responses and ConverseStream <c>metadata</c> events: <c>usage.inputTokens</c>,
/// <c>usage.outputTokens</c>, <c>usage.cacheReadInputTokens</c>, <c>usage.cacheWriteInputTokens</c> at the top of the
/// document (a ConverseStream event's payload is the event's own members, <c>{"metrics":…,"usage":…}</c>, not wrapped in
/// <c>{"metadata":…}</c> as the SDKs present it).
/// </summary>
/// <remarks>
/// Bedrock's <c>inputTokens</c> excludes cache reads and writes (like Anthropic's <c>input_tokens</c>; <c>totalTokens</c>
/// is input + output + cache reads + cache writes), so it is the uncached part and the normalized input adds the cache
/// counts back. <c>totalTokens</c> is not read. Responses never name the model: the record keeps the URL's model id.
/// <c>usage.cacheDetails</c> (cache writes by TTL) is an array, which the scanner does not name, so one-hour cache writes
/// are priced at the five-minute rate.
/// </remarks>
internal sealed class BedrockConverseUsageMapping : UsageMapping
{
    public static readonly BedrockConverseUsageMapping Instance = new();

    private static readonly ulong Usage = JsonPath.Hash("usage"u8);
    private static readonly ulong InputTokens = JsonPath.Hash("inputTokens"u8);
    private static readonly ulong OutputTokens = JsonPath.Hash("outputTokens"u8);
    private static readonly ulong CacheReadInputTokens = JsonPath.Hash("cacheReadInputTokens"u8);
    private static readonly ulong CacheWriteInputTokens = JsonPath.Hash("cacheWriteInputTokens"u8);

    public override int MaxDepth => 2;

    public override UsageField Match(in JsonPath path)
    {
        if (path.Depth != 2 || path.Unnamed || path[0] != Usage)
        {
            return UsageField.None;
        }

        var name = path[1];
        return name == InputTokens ? UsageField.UncachedInput
            : name == OutputTokens ? UsageField.Output
            : name == CacheReadInputTokens ? UsageField.CacheRead
            : name == CacheWriteInputTokens ? UsageField.CacheWrite
            : UsageField.None;
    }
}
