namespace LlmCost.Sdk;

/// <summary>Prices normalized usage with one price period. Rates are per million tokens; money is <see cref="decimal"/>.</summary>
internal static class CostCalculator
{
    private const decimal PerMillion = 1_000_000m;

    public static CostBreakdown Calculate(TokenUsage usage, PricePeriod period, string currency)
    {
        // Cache reads and writes are parts of InputTokens: each token is priced once, at its own rate.
        var uncached = Math.Max(0, usage.InputTokens - usage.CachedInputTokens - usage.CacheWriteInputTokens);
        var input = Normalize(uncached * period.Input / PerMillion);
        var cachedInput = Normalize(usage.CachedInputTokens * (period.CachedInput ?? period.Input) / PerMillion);
        // One-hour cache writes have their own rate; the rest of the writes are 5-minute writes.
        var writeRate = period.CacheWrite ?? period.Input;
        var oneHour = Math.Min(usage.CacheWrite1hInputTokens, usage.CacheWriteInputTokens);
        var cacheWrite = Normalize((((usage.CacheWriteInputTokens - oneHour) * writeRate) + (oneHour * (period.CacheWrite1h ?? writeRate))) / PerMillion);
        var output = Normalize(usage.OutputTokens * period.Output / PerMillion);
        return new CostBreakdown
        {
            Currency = currency,
            Input = input,
            CachedInput = cachedInput,
            CacheWrite = cacheWrite,
            Output = output,
            Total = Normalize(input + cachedInput + cacheWrite + output),
        };
    }

    /// <summary>Removes trailing zeros (2.50m × 176 / 10⁶ is 0.00044000m) so records print money plainly.</summary>
    private static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;
}
