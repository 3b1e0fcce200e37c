namespace LlmCost.Sdk;

/// <summary>Prices normalized usage with one price period. Rates are per million tokens; money is <see cref="decimal"/>.</summary>
internal static class CostCalculator
{
    private const decimal PerToken = 0.000001m; // rates are per million tokens; multiplying is exact and cheaper than dividing

    public static CostBreakdown Calculate(TokenUsage usage, PricePeriod period, string currency)
    {
        // Cache reads and writes are parts of InputTokens: each token is priced once, at its own rate.
        var uncached = Math.Max(0, usage.InputTokens - usage.CachedInputTokens - usage.CacheWriteInputTokens);
        var input = uncached * period.Input * PerToken;
        var cachedInput = usage.CachedInputTokens * (period.CachedInput ?? period.Input) * PerToken;
        // One-hour cache writes have their own rate; the rest of the writes are 5-minute writes.
        var writeRate = period.CacheWrite ?? period.Input;
        var oneHour = Math.Min(usage.CacheWrite1hInputTokens, usage.CacheWriteInputTokens);
        var cacheWrite = (((usage.CacheWriteInputTokens - oneHour) * writeRate) + (oneHour * (period.CacheWrite1h ?? writeRate))) * PerToken;
        var output = usage.OutputTokens * period.Output * PerToken;
        return new CostBreakdown
        {
            Currency = currency,
            Input = input,
            CachedInput = cachedInput,
            CacheWrite = cacheWrite,
            Output = output,
            Total = input + cachedInput + cacheWrite + output,
        };
    }
}
