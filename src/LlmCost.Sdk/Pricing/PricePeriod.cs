namespace LlmCost.Sdk;

/// <summary>
/// The rates of one model from a date on, in the table's currency per million tokens.
/// </summary>
/// <remarks>A rate left <see langword="null"/> falls back: cached input and cache writes to <see cref="Input"/>,
/// one-hour cache writes to <see cref="CacheWrite"/>.</remarks>
public sealed record PricePeriod
{
    /// <summary>Gets the first day (UTC) on which these rates are in force.</summary>
    public DateOnly EffectiveFrom { get; init; }

    /// <summary>Gets the rate for input tokens that were neither read from nor written to a cache.</summary>
    public decimal Input { get; init; }

    /// <summary>Gets the rate for input tokens read from a prompt cache, or <see langword="null"/> to use <see cref="Input"/>.</summary>
    public decimal? CachedInput { get; init; }

    /// <summary>Gets the rate for input tokens written to a prompt cache (Anthropic's 5-minute write), or <see langword="null"/> to use <see cref="Input"/>.</summary>
    public decimal? CacheWrite { get; init; }

    /// <summary>Gets the rate for one-hour cache writes, or <see langword="null"/> to use <see cref="CacheWrite"/>.</summary>
    public decimal? CacheWrite1h { get; init; }

    /// <summary>Gets the rate for output tokens, reasoning included.</summary>
    public decimal Output { get; init; }
}
