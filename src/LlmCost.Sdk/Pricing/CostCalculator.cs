namespace LlmCost.Sdk;

/// <summary>Prices normalized usage with one price period. Rates are per million tokens; money is <see cref="decimal"/>.</summary>
internal static class CostCalculator
{
    private const decimal PerToken = 0.000001m; // rates are per million tokens; multiplying is exact and cheaper than dividing
    private const decimal PerThousand = 0.001m;

    /// <summary>Prices a call.</summary>
    /// <param name="usage">The normalized usage.</param>
    /// <param name="period">The price period in force at the call's time.</param>
    /// <param name="currency">The table's currency.</param>
    /// <param name="serviceTier">The tier that served the call (from the response), which picks its rates.</param>
    /// <param name="region">Where the call was served; a region other than <c>global</c> takes the period's regional uplift.</param>
    public static CostBreakdown Calculate(TokenUsage usage, PricePeriod period, string currency, string? serviceTier = null, string? region = null)
    {
        // The tier, then the long-context tier, decide the rates of the whole call.
        var rates = period.RatesFor(serviceTier, usage.InputTokens);

        // Cache reads and writes are parts of InputTokens: each token is priced once, at its own rate.
        var uncached = Math.Max(0, usage.InputTokens - usage.CachedInputTokens - usage.CacheWriteInputTokens);
        var input = uncached * rates.Input * PerToken;
        var cachedInput = usage.CachedInputTokens * (rates.CachedInput ?? rates.Input) * PerToken;

        // One-hour cache writes have their own rate; the rest of the writes are 5-minute writes.
        var writeRate = rates.CacheWrite ?? rates.Input;
        var oneHour = Math.Min(usage.CacheWrite1hInputTokens, usage.CacheWriteInputTokens);
        var cacheWrite = (((usage.CacheWriteInputTokens - oneHour) * writeRate) + (oneHour * (rates.CacheWrite1h ?? writeRate))) * PerToken;
        var output = usage.OutputTokens * rates.Output * PerToken;
        var requests = usage.WebSearchRequests > 0 && period.WebSearch is { } perThousand ? usage.WebSearchRequests * perThousand * PerThousand : 0m;

        if (period.RegionalUplift is { } uplift && IsRegional(region))
        {
            input *= uplift;
            cachedInput *= uplift;
            cacheWrite *= uplift;
            output *= uplift;
            requests *= uplift;
        }

        return new CostBreakdown
        {
            Currency = currency,
            Input = input,
            CachedInput = cachedInput,
            CacheWrite = cacheWrite,
            Output = output,
            Requests = requests,
            Total = input + cachedInput + cacheWrite + output + requests,
        };
    }

    /// <summary>Gets a value indicating whether a call was served from a regional or geographic endpoint (not <c>global</c>, and known).</summary>
    public static bool IsRegional(string? region) =>
        !string.IsNullOrEmpty(region) && !string.Equals(region, "global", StringComparison.OrdinalIgnoreCase);
}
