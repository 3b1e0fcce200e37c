namespace LlmCost.Sdk;

/// <summary>
/// The rates that price a whole call whose input exceeds <see cref="AboveInputTokens"/> (Gemini's, Anthropic's and
/// OpenAI's "prompts over 200K/272K tokens").
/// </summary>
public sealed record LongContextTier
{
    /// <summary>Gets the threshold: a call with more input tokens than this (cache reads and writes included) is priced at <see cref="Rates"/>.</summary>
    public long AboveInputTokens { get; init; }

    /// <summary>Gets the rates of the whole call above the threshold.</summary>
    public required PriceRates Rates { get; init; }
}
