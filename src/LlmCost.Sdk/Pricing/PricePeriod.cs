namespace LlmCost.Sdk;

/// <summary>
/// The prices of one model from a date on: base rates per million tokens (<see cref="PriceRates"/>), plus the rules
/// that change them — service tiers, long-context tiers, per-request charges and regional uplifts.
/// </summary>
public sealed record PricePeriod : PriceRates
{
    /// <summary>Gets the first day (UTC) on which these rates are in force.</summary>
    public DateOnly EffectiveFrom { get; init; }

    /// <summary>
    /// Gets the rates of service tiers that are not billed at the base rates, by the tier's name as a response or a
    /// record's <see cref="CostRecord.ServiceTier"/> names it: <c>batch</c> (OpenAI Batch API, Anthropic Message
    /// Batches, Gemini and Bedrock batch), <c>flex</c>, <c>priority</c>. Names are matched ignoring case; a tier not
    /// listed (<c>default</c>, <c>standard</c>, <c>auto</c>) is priced at the base rates.
    /// </summary>
    public IReadOnlyDictionary<string, PriceRates> ServiceTiers { get; init; } = EmptyTiers;

    /// <summary>Gets the charge per 1,000 server-side web searches (Anthropic's web search tool), or <see langword="null"/> when none is published.</summary>
    public decimal? WebSearch { get; init; }

    /// <summary>
    /// Gets the multiplier applied to every charge of a call served from a regional or geographic endpoint rather than
    /// a global one (Claude on Bedrock and Vertex AI: 1.1), or <see langword="null"/> when there is none.
    /// </summary>
    public decimal? RegionalUplift { get; init; }

    private static readonly IReadOnlyDictionary<string, PriceRates> EmptyTiers =
        new Dictionary<string, PriceRates>(StringComparer.OrdinalIgnoreCase).AsReadOnly();

    /// <summary>Picks the rates that price a call: its service tier's (when listed), then the long-context tier its input crosses.</summary>
    /// <param name="serviceTier">The served service tier, or <see langword="null"/>.</param>
    /// <param name="inputTokens">All input tokens of the call, cache reads and writes included.</param>
    /// <returns>The rates.</returns>
    public PriceRates RatesFor(string? serviceTier, long inputTokens)
    {
        PriceRates rates = this;
        if (serviceTier is not null && ServiceTiers.Count > 0 && ServiceTiers.TryGetValue(serviceTier, out var tier))
        {
            rates = tier;
        }

        return rates.ForInput(inputTokens);
    }
}
