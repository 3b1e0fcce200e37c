using Microsoft.Extensions.AI;

namespace LlmCost.Sdk.Extensions.AI;

/// <summary>
/// Normalizes what a Microsoft.Extensions.AI response says about usage into <see cref="TokenUsage"/> (DESIGN.md
/// "Normalized usage"): inputTokens includes cache reads and writes, outputTokens includes reasoning.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="UsageDetails"/> has the same meaning by contract: <c>CachedInputTokenCount</c> "should be counted as part
/// of <c>InputTokenCount</c>", <c>ReasoningTokenCount</c> as part of <c>OutputTokenCount</c>. What the adapters do
/// (checked on real payloads in the tests):
/// </para>
/// <list type="bullet">
/// <item><description>OpenAI (Microsoft.Extensions.AI.OpenAI, Chat Completions and Responses): <c>InputTokenCount</c> is
/// <c>prompt_tokens</c>/<c>input_tokens</c>, which includes <c>cached_tokens</c>; <c>CachedInputTokenCount</c> is
/// <c>cached_tokens</c>; <c>OutputTokenCount</c> is <c>completion_tokens</c>/<c>output_tokens</c>, which includes
/// <c>reasoning_tokens</c>; <c>ReasoningTokenCount</c> is <c>reasoning_tokens</c>. Earlier adapter versions put the
/// cached and reasoning counts only in <c>AdditionalCounts</c> (<c>InputTokenDetails.CachedTokenCount</c>,
/// <c>OutputTokenDetails.ReasoningTokenCount</c>); those keys are read when the properties are missing.</description></item>
/// <item><description>Anthropic (the Anthropic SDK's <c>AsIChatClient</c>, 13.x): <c>InputTokenCount</c> is
/// <c>input_tokens + cache_creation_input_tokens + cache_read_input_tokens</c>; <c>CachedInputTokenCount</c> is
/// <c>cache_read_input_tokens</c>; cache writes are only in <c>AdditionalCounts["CacheCreationInputTokens"]</c>, read
/// here as cacheWriteInputTokens, and web searches in <c>AdditionalCounts["WebSearchRequests"]</c>. The one-hour part of the
/// writes and the served tier are not in <c>UsageDetails</c>; they are read from the raw <c>Message</c> or
/// <c>message_start</c> event (see <see cref="AnthropicRawUsage"/>).</description></item>
/// <item><description>An adapter that breaks the contract the way the raw APIs do (input without the cache tokens, output
/// without the reasoning tokens) is detected when the part exceeds the whole, and the part is added back. One that
/// reports uncached input larger than its cache tokens cannot be told apart, and is taken at its word.</description></item>
/// </list>
/// <para>
/// <c>RawRepresentation</c> is not matched on the OpenAI SDK's types: the OpenAI adapter already maps every count of
/// the OpenAI SDK's usage objects, and matching on its types would tie this package to one OpenAI version
/// (Microsoft.Extensions.AI.OpenAI 10.11.0 is built against OpenAI 2.14.0 and its Responses streaming fails with OpenAI
/// 2.15.0 with a <see cref="MissingMethodException"/>). Only the served service tier, which no adapter maps, is read from
/// it, through System.ClientModel's <c>IPersistableModel</c> (see <see cref="RawServiceTier"/>). The Anthropic SDK is not
/// referenced; its adapter's <c>AdditionalCounts</c> key is read instead.
/// </para>
/// <para>
/// Streaming responses carry usage in <see cref="UsageContent"/> items; several are summed, as <c>ToChatResponse</c>
/// does. This is a mutable struct: keep it in a local and pass it by reference.
/// </para>
/// </remarks>
internal struct AiUsageTotals
{
    /// <summary>The key under which the Anthropic SDK's adapter reports <c>cache_creation_input_tokens</c>.</summary>
    public const string AnthropicCacheCreationKey = "CacheCreationInputTokens";

    /// <summary>The key under which the Anthropic SDK's adapter reports <c>server_tool_use.web_search_requests</c>.</summary>
    public const string AnthropicWebSearchKey = "WebSearchRequests";

    /// <summary>The key under which Microsoft.Extensions.AI.OpenAI reported <c>cached_tokens</c> before <c>CachedInputTokenCount</c> existed.</summary>
    public const string OpenAICachedKey = "InputTokenDetails.CachedTokenCount";

    /// <summary>The key under which Microsoft.Extensions.AI.OpenAI reported <c>reasoning_tokens</c> before <c>ReasoningTokenCount</c> existed.</summary>
    public const string OpenAIReasoningKey = "OutputTokenDetails.ReasoningTokenCount";

    private long _input;
    private long _cached;
    private long _cacheWrite;
    private long _cacheWrite1h;
    private long _webSearches;
    private long _output;
    private long _reasoning;
    private bool _reported;

    /// <summary>Gets or sets the service tier that served the call, when the response's raw representation names it.</summary>
    public string? ServiceTier { get; set; }

    /// <summary>Gets or sets a value indicating whether a streamed update's raw representation was already read for the tier.</summary>
    public bool ServiceTierSought { get; set; }

    /// <summary>
    /// Reads what the adapters leave in a response's (or the first streamed update's) raw representation only: the served
    /// service tier. Read once per call, so a stream does not allocate per update.
    /// </summary>
    public void AddRaw(object? rawRepresentation)
    {
        if (ServiceTierSought || rawRepresentation is null)
        {
            return;
        }

        ServiceTierSought = true;
        if (AnthropicRawUsage.Applies(rawRepresentation))
        {
            AnthropicRawUsage.Read(rawRepresentation, out var tier, out var oneHour);
            ServiceTier = tier;
            _cacheWrite1h = oneHour;
        }
        else
        {
            ServiceTier = RawServiceTier.Read(rawRepresentation);
        }
    }

    /// <summary>Gets a value indicating whether any usage was reported.</summary>
    public readonly bool Reported => _reported;

    /// <summary>Adds the usage of one response or one <see cref="UsageContent"/>; <see langword="null"/> adds nothing.</summary>
    public void Add(UsageDetails? details)
    {
        if (details is null)
        {
            return;
        }

        var input = details.InputTokenCount;
        var output = details.OutputTokenCount;
        var cached = details.CachedInputTokenCount;
        var reasoning = details.ReasoningTokenCount;
        long? cacheWrite = null;
        if (details.AdditionalCounts is { Count: > 0 } counts)
        {
            cached ??= Get(counts, OpenAICachedKey);
            reasoning ??= Get(counts, OpenAIReasoningKey);
            cacheWrite = Get(counts, AnthropicCacheCreationKey);
            if (Get(counts, AnthropicWebSearchKey) is { } searches)
            {
                // Billed per request on top of tokens; the streamed total is repeated, not split, so the largest is kept.
                _webSearches = Math.Max(_webSearches, searches);
            }
        }

        if (input is null && output is null && cached is null && reasoning is null && cacheWrite is null)
        {
            return;
        }

        var inputTokens = input ?? 0;
        var cachedTokens = cached ?? 0;
        var writeTokens = cacheWrite ?? 0;
        if (inputTokens < cachedTokens + writeTokens)
        {
            // The part exceeds the whole: this adapter reported the uncached input only (as Anthropic's raw input_tokens).
            inputTokens += cachedTokens + writeTokens;
        }

        var outputTokens = output ?? 0;
        var reasoningTokens = reasoning ?? 0;
        if (outputTokens < reasoningTokens)
        {
            // Output without thoughts (as Gemini's raw candidates count).
            outputTokens += reasoningTokens;
        }

        _input += inputTokens;
        _cached += cachedTokens;
        _cacheWrite += writeTokens;
        _output += outputTokens;
        _reasoning += reasoningTokens;
        _reported = true;
    }

    /// <summary>Returns the normalized usage, or <see cref="TokenUsage.None"/> when nothing was reported.</summary>
    public readonly TokenUsage ToUsage() => !_reported
        ? TokenUsage.None
        : new TokenUsage
        {
            InputTokens = _input,
            CachedInputTokens = _cached,
            CacheWriteInputTokens = _cacheWrite,
            CacheWrite1hInputTokens = Math.Min(_cacheWrite1h, _cacheWrite),
            OutputTokens = _output,
            ReasoningTokens = _reasoning,
            WebSearchRequests = _webSearches,
            Source = UsageSource.Provider,
        };

    private static long? Get(AdditionalPropertiesDictionary<long> counts, string key) =>
        counts.TryGetValue(key, out var value) ? value : null;
}
