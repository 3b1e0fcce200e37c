namespace LlmCost.Sdk;

/// <summary>
/// OpenAI and OpenAI-compatible responses: Chat Completions (<c>usage.prompt_tokens</c>, streamed in the last chunk
/// when <c>stream_options.include_usage</c> is set), the Responses API (<c>usage.input_tokens</c>, streamed inside the
/// <c>response.completed</c> event's <c>response</c>) and embeddings.
/// </summary>
/// <remarks>
/// <para><c>prompt_tokens</c>/<c>input_tokens</c> already include <c>cached_tokens</c>, and <c>completion_tokens</c>/<c>output_tokens</c>
/// already include <c>reasoning_tokens</c>, which is exactly the normalized meaning.</para>
/// <para>OpenAI-compatible providers: DeepSeek reports cache reads as <c>usage.prompt_cache_hit_tokens</c> (its
/// <c>prompt_tokens</c> is hits plus <c>prompt_cache_miss_tokens</c>); Groq streams usage in the last chunk's
/// <c>x_groq.usage</c>; OpenRouter reports what it billed in <c>usage.cost</c>, which the record keeps; xAI's Chat
/// Completions report <c>reasoning_tokens</c> on top of <c>completion_tokens</c> (its <c>total_tokens</c> is prompt plus
/// completion plus reasoning), so <see cref="XAI"/> adds them to the output. Mistral reports cache reads as
/// <c>usage.num_cached_tokens</c> (within <c>prompt_tokens</c>); OpenRouter and OpenAI report cache writes as
/// <c>prompt_tokens_details.cache_write_tokens</c> (<c>input_tokens_details</c> in the Responses API, within the input);
/// audio input and output are <c>prompt_tokens_details.audio_tokens</c> and <c>completion_tokens_details.audio_tokens</c>,
/// parts of the prompt and completion tokens priced at the model's audio rates. Azure OpenAI's
/// <c>prompt_filter_results</c> and <c>content_filter_results</c> are not usage and are skipped.</para>
/// </remarks>
internal sealed class OpenAIUsageMapping : UsageMapping
{
    public static readonly OpenAIUsageMapping Instance = new(reasoningApart: false);

    /// <summary>xAI: Chat Completions' <c>completion_tokens_details.reasoning_tokens</c> are not part of <c>completion_tokens</c>.</summary>
    public static readonly OpenAIUsageMapping XAI = new(reasoningApart: true);

    private readonly UsageField _completionReasoning;

    private OpenAIUsageMapping(bool reasoningApart) =>
        _completionReasoning = reasoningApart ? UsageField.ExtraReasoningOutput : UsageField.Reasoning;

    private static readonly ulong Model = JsonPath.Hash("model"u8);
    private static readonly ulong ServiceTier = JsonPath.Hash("service_tier"u8);
    private static readonly ulong Usage = JsonPath.Hash("usage"u8);
    private static readonly ulong Response = JsonPath.Hash("response"u8);
    private static readonly ulong PromptTokens = JsonPath.Hash("prompt_tokens"u8);
    private static readonly ulong CompletionTokens = JsonPath.Hash("completion_tokens"u8);
    private static readonly ulong InputTokens = JsonPath.Hash("input_tokens"u8);
    private static readonly ulong OutputTokens = JsonPath.Hash("output_tokens"u8);
    private static readonly ulong PromptTokensDetails = JsonPath.Hash("prompt_tokens_details"u8);
    private static readonly ulong InputTokensDetails = JsonPath.Hash("input_tokens_details"u8);
    private static readonly ulong CompletionTokensDetails = JsonPath.Hash("completion_tokens_details"u8);
    private static readonly ulong OutputTokensDetails = JsonPath.Hash("output_tokens_details"u8);
    private static readonly ulong CachedTokens = JsonPath.Hash("cached_tokens"u8);
    private static readonly ulong ReasoningTokens = JsonPath.Hash("reasoning_tokens"u8);
    private static readonly ulong PromptCacheHitTokens = JsonPath.Hash("prompt_cache_hit_tokens"u8);
    private static readonly ulong Cost = JsonPath.Hash("cost"u8);
    private static readonly ulong XGroq = JsonPath.Hash("x_groq"u8);
    private static readonly ulong NumCachedTokens = JsonPath.Hash("num_cached_tokens"u8);
    private static readonly ulong CacheWriteTokens = JsonPath.Hash("cache_write_tokens"u8);
    private static readonly ulong AudioTokens = JsonPath.Hash("audio_tokens"u8);

    public override int MaxDepth => 4;

    public override UsageField Match(in JsonPath path)
    {
        switch (path.Depth)
        {
            case 1:
                return path.Is(Model) ? UsageField.Model
                    : path.Is(ServiceTier) ? UsageField.ServiceTier
                    : UsageField.None;
            case 2:
                return path.Is(Response, Model) ? UsageField.Model
                    : path.Is(Response, ServiceTier) ? UsageField.ServiceTier
                    : path[0] == Usage ? Counts(path[1]) : UsageField.None;
            case 3:
                return path[0] == Usage && !path.Unnamed ? Details(path[1], path[2])
                    : path.StartsWith(Response, Usage) || path.StartsWith(XGroq, Usage) ? Counts(path[2]) : UsageField.None;
            case 4:
                return path.StartsWith(Response, Usage) || path.StartsWith(XGroq, Usage) ? Details(path[2], path[3]) : UsageField.None;
            default:
                return UsageField.None;
        }
    }

    private static UsageField Counts(ulong name) =>
        name == PromptTokens || name == InputTokens ? UsageField.TotalInput
        : name == CompletionTokens || name == OutputTokens ? UsageField.Output
        : name == PromptCacheHitTokens || name == NumCachedTokens ? UsageField.CacheRead
        : name == Cost ? UsageField.ReportedCost
        : UsageField.None;

    private UsageField Details(ulong group, ulong name) =>
        (group == PromptTokensDetails || group == InputTokensDetails) && name == CachedTokens ? UsageField.CacheRead
        : (group == PromptTokensDetails || group == InputTokensDetails) && name == CacheWriteTokens ? UsageField.CacheWrite
        : group == PromptTokensDetails && name == AudioTokens ? UsageField.AudioInput
        : group == CompletionTokensDetails && name == AudioTokens ? UsageField.AudioOutput
        : group == CompletionTokensDetails && name == ReasoningTokens ? _completionReasoning
        : group == OutputTokensDetails && name == ReasoningTokens ? UsageField.Reasoning
        : UsageField.None;
}
