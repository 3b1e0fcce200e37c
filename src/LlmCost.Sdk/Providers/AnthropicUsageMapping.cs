namespace LlmCost.Sdk;

/// <summary>
/// Anthropic Messages responses: <c>usage</c> at the top of a message (and of a streamed <c>message_delta</c>),
/// and <c>message.usage</c> in a streamed <c>message_start</c>.
/// </summary>
/// <remarks>
/// Anthropic's <c>input_tokens</c> excludes cache reads and writes; the normalized input adds
/// <c>cache_read_input_tokens</c> and <c>cache_creation_input_tokens</c> back. Streamed <c>output_tokens</c> are
/// cumulative, so the last <c>message_delta</c> holds the total. <c>cache_creation.ephemeral_1h_input_tokens</c> is the
/// part of the cache writes billed at the one-hour rate. <c>server_tool_use.web_search_requests</c> counts the web
/// searches billed per request (in <c>usage</c>, and in a streamed <c>message_start</c>'s <c>message.usage</c>).
/// <c>output_tokens_details.thinking_tokens</c> is the part of <c>output_tokens</c> spent thinking: the reasoning tokens.
/// <para>A stream's usage is final once its <c>message_stop</c> event has been read: <c>message_start</c>'s
/// <c>message.usage</c> has the input and a placeholder <c>output_tokens</c> (1), and <c>message_delta</c>'s cumulative
/// <c>usage</c> may come more than once (server tools can send several), so no count is final by itself
/// (<see cref="IsFinal"/>); the top-level <c>"type":"message_stop"</c> is the marker. A stream that stops before it is
/// not priced as if complete.</para>
/// </remarks>
internal sealed class AnthropicUsageMapping : UsageMapping
{
    public static readonly AnthropicUsageMapping Instance = new();

    private static readonly ulong Model = JsonPath.Hash("model"u8);
    private static readonly ulong Type = JsonPath.Hash("type"u8);
    private static readonly ulong ServiceTier = JsonPath.Hash("service_tier"u8);
    private static readonly ulong Usage = JsonPath.Hash("usage"u8);
    private static readonly ulong Message = JsonPath.Hash("message"u8);
    private static readonly ulong InputTokens = JsonPath.Hash("input_tokens"u8);
    private static readonly ulong OutputTokens = JsonPath.Hash("output_tokens"u8);
    private static readonly ulong CacheRead = JsonPath.Hash("cache_read_input_tokens"u8);
    private static readonly ulong CacheCreation = JsonPath.Hash("cache_creation_input_tokens"u8);
    private static readonly ulong CacheCreationDetails = JsonPath.Hash("cache_creation"u8);
    private static readonly ulong OneHour = JsonPath.Hash("ephemeral_1h_input_tokens"u8);
    private static readonly ulong ServerToolUse = JsonPath.Hash("server_tool_use"u8);
    private static readonly ulong WebSearchRequests = JsonPath.Hash("web_search_requests"u8);
    private static readonly ulong OutputTokensDetails = JsonPath.Hash("output_tokens_details"u8);
    private static readonly ulong ThinkingTokens = JsonPath.Hash("thinking_tokens"u8);

    public override int MaxDepth => 4;

    public override UsageField Match(in JsonPath path)
    {
        switch (path.Depth)
        {
            case 1:
                return path.Is(Model) ? UsageField.Model : path.Is(Type) ? UsageField.FinalMarker : UsageField.None;
            case 2:
                return path.Is(Message, Model) ? UsageField.Model
                    : path[0] == Usage && !path.Unnamed ? Counts(path[1]) : UsageField.None;
            case 3:
                return path.StartsWith(Message, Usage) ? Counts(path[2])
                    : path.Is(Usage, CacheCreationDetails, OneHour) ? UsageField.CacheWrite1h
                    : path.Is(Usage, ServerToolUse, WebSearchRequests) ? UsageField.WebSearchRequests
                    : path.Is(Usage, OutputTokensDetails, ThinkingTokens) ? UsageField.Reasoning
                    : UsageField.None;
            case 4:
                return path.Is(Message, Usage, CacheCreationDetails, OneHour) ? UsageField.CacheWrite1h
                    : path.Is(Message, Usage, ServerToolUse, WebSearchRequests) ? UsageField.WebSearchRequests
                    : path.Is(Message, Usage, OutputTokensDetails, ThinkingTokens) ? UsageField.Reasoning
                    : UsageField.None;
            default:
                return UsageField.None;
        }
    }

    /// <summary>No count is final by itself: <c>message_start</c> has placeholders, and <c>message_delta</c> may repeat.</summary>
    public override bool IsFinal(in JsonPath path) => false;

    public override bool IsFinalMarker(ReadOnlySpan<byte> value) => value.SequenceEqual("message_stop"u8);

    public override ReadOnlySpan<byte> FinalEventBytes => "\"message_stop\""u8;

    private static UsageField Counts(ulong name) =>
        name == ServiceTier ? UsageField.ServiceTier
        : name == InputTokens ? UsageField.UncachedInput
        : name == OutputTokens ? UsageField.Output
        : name == CacheRead ? UsageField.CacheRead
        : name == CacheCreation ? UsageField.CacheWrite
        : UsageField.None;
}
