namespace LlmCost.Sdk;

/// <summary>
/// A set of rates in the table's currency per million tokens: the base rates of a <see cref="PricePeriod"/>, a
/// service tier's rates (<see cref="PricePeriod.ServiceTiers"/>) or a long-context tier's (<see cref="LongContext"/>).
/// </summary>
/// <remarks>A rate left <see langword="null"/> falls back: cached input and cache writes to <see cref="Input"/>,
/// one-hour cache writes to <see cref="CacheWrite"/>.</remarks>
public record PriceRates
{
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

    /// <summary>
    /// Gets the long-context tiers, lowest threshold first. When a call's input (cache reads and writes included)
    /// exceeds a tier's <see cref="LongContextRates.AboveInputTokens"/>, the whole call is priced at that tier's
    /// rates, as the providers bill it — not only the tokens above the threshold.
    /// </summary>
    public IReadOnlyList<LongContextRates> LongContext { get; init; } = [];

    /// <summary>Picks the rates for a call with this many input tokens: the highest long-context tier it crosses, or these rates.</summary>
    /// <param name="inputTokens">All input tokens of the call, cache reads and writes included.</param>
    /// <returns>The rates that price the whole call.</returns>
    public PriceRates ForInput(long inputTokens)
    {
        PriceRates rates = this;
        foreach (var tier in LongContext)
        {
            if (inputTokens > tier.AboveInputTokens)
            {
                rates = tier;
            }
        }

        return rates;
    }
}

/// <summary>The rates that price a whole call whose input exceeds <see cref="AboveInputTokens"/> (Gemini's and Anthropic's "prompts over 200K tokens").</summary>
public sealed record LongContextRates : PriceRates
{
    /// <summary>Gets the threshold: a call with more input tokens than this is priced at these rates.</summary>
    public long AboveInputTokens { get; init; }
}
