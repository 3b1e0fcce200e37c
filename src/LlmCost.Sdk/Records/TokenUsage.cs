namespace LlmCost.Sdk;

/// <summary>
/// Token usage with one meaning across providers.
/// </summary>
/// <remarks>
/// <see cref="InputTokens"/> includes cache reads and cache writes; <see cref="OutputTokens"/> includes reasoning tokens.
/// Each provider's parser maps the provider's own report to these fields.
/// </remarks>
public sealed record TokenUsage
{
    // The counts few calls have (web search, audio, image, video) live in an object of their own, made only when one is
    // not zero: a record of the usual call carries seven longs fewer (one record is built per call).
    private readonly Extras? _extras;

    /// <summary>Usage of a call for which nothing is known.</summary>
    public static readonly TokenUsage None = new() { Source = UsageSource.None };

    /// <summary>Gets all input tokens, including cache reads and cache writes.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the part of <see cref="InputTokens"/> read from a prompt cache.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Gets the part of <see cref="InputTokens"/> written to a prompt cache.</summary>
    public long CacheWriteInputTokens { get; init; }

    /// <summary>
    /// Gets the part of <see cref="CacheWriteInputTokens"/> written to a one-hour cache, billed at its own rate
    /// (Anthropic). Written to JSON as <c>cacheWrite1hInputTokens</c> only when it is not zero.
    /// </summary>
    public long CacheWrite1hInputTokens { get; init; }

    /// <summary>Gets all output tokens, including reasoning (thinking) tokens.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets the part of <see cref="OutputTokens"/> spent on reasoning.</summary>
    public long ReasoningTokens { get; init; }

    /// <summary>
    /// Gets the number of server-side web searches the call made, billed per request on top of tokens (Anthropic's
    /// <c>server_tool_use.web_search_requests</c>). Written to JSON as <c>webSearchRequests</c> only when it is not zero.
    /// </summary>
    public long WebSearchRequests
    {
        get => _extras?.WebSearchRequests ?? 0;
        init => _extras = Extras.With(_extras, value, static (e, v) => e with { WebSearchRequests = v });
    }

    /// <summary>
    /// Gets the part of <see cref="InputTokens"/> that is audio (OpenAI's <c>prompt_tokens_details.audio_tokens</c>), billed
    /// at the audio input rate. Written to JSON as <c>audioInputTokens</c> only when it is not zero.
    /// </summary>
    public long AudioInputTokens
    {
        get => _extras?.AudioInputTokens ?? 0;
        init => _extras = Extras.With(_extras, value, static (e, v) => e with { AudioInputTokens = v });
    }

    /// <summary>
    /// Gets the part of <see cref="OutputTokens"/> that is audio (OpenAI's <c>completion_tokens_details.audio_tokens</c>),
    /// billed at the audio output rate. Written to JSON as <c>audioOutputTokens</c> only when it is not zero.
    /// </summary>
    public long AudioOutputTokens
    {
        get => _extras?.AudioOutputTokens ?? 0;
        init => _extras = Extras.With(_extras, value, static (e, v) => e with { AudioOutputTokens = v });
    }

    /// <summary>
    /// Gets the part of <see cref="InputTokens"/> that is images, billed at the image input rate where the model has one.
    /// Written to JSON as <c>imageInputTokens</c> only when it is not zero.
    /// </summary>
    public long ImageInputTokens
    {
        get => _extras?.ImageInputTokens ?? 0;
        init => _extras = Extras.With(_extras, value, static (e, v) => e with { ImageInputTokens = v });
    }

    /// <summary>
    /// Gets the part of <see cref="OutputTokens"/> that is generated images, billed at the image output rate where the
    /// model has one. Written to JSON as <c>imageOutputTokens</c> only when it is not zero.
    /// </summary>
    public long ImageOutputTokens
    {
        get => _extras?.ImageOutputTokens ?? 0;
        init => _extras = Extras.With(_extras, value, static (e, v) => e with { ImageOutputTokens = v });
    }

    /// <summary>
    /// Gets the part of <see cref="InputTokens"/> that is video (Gemini's <c>promptTokensDetails</c> <c>VIDEO</c> count, less
    /// its cached part), billed at the video input rate (<see cref="PriceRates.VideoInput"/>); a call with video tokens
    /// on a model whose rates publish no video rate gets no cost. Written to JSON as <c>videoInputTokens</c> only when
    /// it is not zero, so a stored record is re-priced as it was priced.
    /// </summary>
    public long VideoInputTokens
    {
        get => _extras?.VideoInputTokens ?? 0;
        init => _extras = Extras.With(_extras, value, static (e, v) => e with { VideoInputTokens = v });
    }

    /// <summary>
    /// Gets the part of <see cref="OutputTokens"/> that is generated video (Gemini's <c>candidatesTokensDetails</c>
    /// <c>VIDEO</c> count). The table has no video output rate, so a call with video output gets no cost. Written to JSON
    /// as <c>videoOutputTokens</c> only when it is not zero.
    /// </summary>
    public long VideoOutputTokens
    {
        get => _extras?.VideoOutputTokens ?? 0;
        init => _extras = Extras.With(_extras, value, static (e, v) => e with { VideoOutputTokens = v });
    }

    /// <summary>Gets where the counts came from.</summary>
    public UsageSource Source { get; init; }

    /// <summary>The rare counts; never all zero (<see cref="With"/>), so usage without them compares equal whatever set them.</summary>
    private sealed record Extras
    {
        public static readonly Extras Zero = new();

        public long WebSearchRequests { get; init; }

        public long AudioInputTokens { get; init; }

        public long AudioOutputTokens { get; init; }

        public long ImageInputTokens { get; init; }

        public long ImageOutputTokens { get; init; }

        public long VideoInputTokens { get; init; }

        public long VideoOutputTokens { get; init; }

        /// <summary>The counts with one changed: none made while every count is zero (a zero set on no counts keeps none).</summary>
        public static Extras? With(Extras? extras, long value, Func<Extras, long, Extras> set)
        {
            if (value == 0 && extras is null)
            {
                return null;
            }

            var changed = set(extras ?? Zero, value);
            return changed == Zero ? null : changed;
        }
    }
}
