namespace LlmCost.Sdk;

/// <summary>A value a provider reports that feeds the normalized usage.</summary>
internal enum UsageField : byte
{
    /// <summary>Not a usage value.</summary>
    None,

    /// <summary>The model that served the call.</summary>
    Model,

    /// <summary>The model the request asked for (read from the request body).</summary>
    RequestModel,

    /// <summary>The service tier that served the call.</summary>
    ServiceTier,

    /// <summary>All input tokens, cache reads and writes included (OpenAI's <c>prompt_tokens</c>).</summary>
    TotalInput,

    /// <summary>Input tokens that were neither read from nor written to a cache (Anthropic's <c>input_tokens</c>).</summary>
    UncachedInput,

    /// <summary>Input tokens read from a prompt cache.</summary>
    CacheRead,

    /// <summary>Input tokens written to a prompt cache.</summary>
    CacheWrite,

    /// <summary>The part of <see cref="CacheWrite"/> written to a one-hour cache (Anthropic's <c>ephemeral_1h_input_tokens</c>).</summary>
    CacheWrite1h,

    /// <summary>All output tokens, reasoning included.</summary>
    Output,

    /// <summary>The part of the output spent on reasoning.</summary>
    Reasoning,

    /// <summary>Input tokens billed besides the prompt (Gemini's <c>toolUsePromptTokenCount</c>): added to the input.</summary>
    ExtraInput,

    /// <summary>Output tokens reported apart from the rest of the output (Gemini's <c>thoughtsTokenCount</c>): added to the output and counted as reasoning.</summary>
    ExtraReasoningOutput,

    /// <summary>Server-side web searches billed per request (Anthropic's <c>server_tool_use.web_search_requests</c>).</summary>
    WebSearchRequests,

    /// <summary>The part of the input that is audio (OpenAI's <c>prompt_tokens_details.audio_tokens</c>).</summary>
    AudioInput,

    /// <summary>The part of the output that is audio (OpenAI's <c>completion_tokens_details.audio_tokens</c>).</summary>
    AudioOutput,

    /// <summary>The <c>modality</c> of an element of Gemini's <c>promptTokensDetails</c> (kept until the element ends).</summary>
    PromptModality,

    /// <summary>The <c>tokenCount</c> of an element of Gemini's <c>promptTokensDetails</c>.</summary>
    PromptModalityTokens,

    /// <summary>The <c>modality</c> of an element of Gemini's <c>candidatesTokensDetails</c>.</summary>
    CandidatesModality,

    /// <summary>The <c>tokenCount</c> of an element of Gemini's <c>candidatesTokensDetails</c>.</summary>
    CandidatesModalityTokens,

    /// <summary>The <c>modality</c> of an element of Gemini's <c>cacheTokensDetails</c> (the cached part of the prompt, by modality).</summary>
    CacheModality,

    /// <summary>The <c>tokenCount</c> of an element of Gemini's <c>cacheTokensDetails</c>.</summary>
    CacheModalityTokens,

    /// <summary>The cost the provider itself reports for the call, in US dollars (OpenRouter's <c>usage.cost</c>).</summary>
    ReportedCost,

    /// <summary>
    /// A non-empty string that marks the document carrying the stream's final usage (Gemini's
    /// <c>candidates[].finishReason</c> and <c>promptFeedback.blockReason</c>): see <see cref="UsageAccumulator.Final"/>.
    /// </summary>
    FinalMarker,
}
