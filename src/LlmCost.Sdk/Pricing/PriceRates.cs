namespace LlmCost.Sdk;

/// <summary>
/// One set of rates in the table's currency per million tokens: the base rates of a period, of a service tier, of a
/// long-context tier or of a time-of-day window.
/// </summary>
/// <remarks>
/// A rate left <see langword="null"/> falls back as the providers bill it: cached input and cache writes to
/// <see cref="Input"/>, one-hour cache writes to <see cref="CacheWrite"/>, audio and image input to <see cref="Input"/>,
/// audio and image output to <see cref="Output"/>. Video input has no fallback: without <see cref="VideoInput"/> a call
/// with video tokens is not priced. Instances are immutable and thread-safe.
/// </remarks>
public sealed record PriceRates
{
    /// <summary>Gets the rate for text input tokens that were neither read from nor written to a cache.</summary>
    public decimal Input { get; init; }

    /// <summary>Gets the rate for input tokens read from a prompt cache, or <see langword="null"/> to use <see cref="Input"/>.</summary>
    public decimal? CachedInput { get; init; }

    /// <summary>Gets the rate for input tokens written to a prompt cache (Anthropic's 5-minute write), or <see langword="null"/> to use <see cref="Input"/>.</summary>
    public decimal? CacheWrite { get; init; }

    /// <summary>Gets the rate for one-hour cache writes, or <see langword="null"/> to use <see cref="CacheWrite"/>.</summary>
    public decimal? CacheWrite1h { get; init; }

    /// <summary>Gets the rate for text output tokens, reasoning included.</summary>
    public decimal Output { get; init; }

    /// <summary>Gets the rate for audio input tokens (<see cref="TokenUsage.AudioInputTokens"/>), or <see langword="null"/> to use <see cref="Input"/>.</summary>
    public decimal? AudioInput { get; init; }

    /// <summary>Gets the rate for audio output tokens (<see cref="TokenUsage.AudioOutputTokens"/>), or <see langword="null"/> to use <see cref="Output"/>.</summary>
    public decimal? AudioOutput { get; init; }

    /// <summary>Gets the rate for image input tokens (<see cref="TokenUsage.ImageInputTokens"/>), or <see langword="null"/> to use <see cref="Input"/>.</summary>
    public decimal? ImageInput { get; init; }

    /// <summary>Gets the rate for image output tokens (<see cref="TokenUsage.ImageOutputTokens"/>), or <see langword="null"/> to use <see cref="Output"/>.</summary>
    public decimal? ImageOutput { get; init; }

    /// <summary>
    /// Gets the rate for video input tokens (<see cref="TokenUsage.VideoInputTokens"/>), or <see langword="null"/> when the
    /// provider publishes none for the model: a call with video tokens is then not priced (a null cost), never priced as text.
    /// </summary>
    public decimal? VideoInput { get; init; }
}
