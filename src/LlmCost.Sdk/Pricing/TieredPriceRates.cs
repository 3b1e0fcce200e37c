namespace LlmCost.Sdk;

/// <summary>Base rates and the long-context tiers that replace them for calls with a large input.</summary>
public sealed record TieredPriceRates
{
    /// <summary>Gets the rates of a call whose input crosses no long-context threshold.</summary>
    public required PriceRates Base { get; init; }

    /// <summary>
    /// Gets the long-context tiers, lowest threshold first. When a call's input (cache reads and writes included)
    /// exceeds a tier's <see cref="LongContextTier.AboveInputTokens"/>, the whole call is priced at that tier's rates, as
    /// the providers bill it — not only the tokens above the threshold.
    /// </summary>
    public IReadOnlyList<LongContextTier> LongContext { get; init; } = [];

    /// <summary>Picks the rates for a call with this many input tokens: the highest long-context tier it crosses, or <see cref="Base"/>.</summary>
    /// <param name="inputTokens">All input tokens of the call, cache reads and writes included.</param>
    /// <returns>The rates that price the whole call.</returns>
    public PriceRates ForInput(long inputTokens)
    {
        var rates = Base;
        var tiers = LongContext;
        for (var i = 0; i < tiers.Count; i++)
        {
            if (inputTokens > tiers[i].AboveInputTokens)
            {
                rates = tiers[i].Rates;
            }
        }

        return rates;
    }
}
