namespace LlmCost.Sdk;

/// <summary>Prices normalized usage with one price period. Rates are per million tokens; money is <see cref="decimal"/>.</summary>
/// <remarks>
/// Rates are validated to at most <see cref="PriceTable.MaxRate"/> and token counts are 64-bit, so no product or sum here
/// can overflow <see cref="decimal"/>; <see cref="PriceResolver"/> still turns an <see cref="OverflowException"/> into a
/// record with a null cost rather than a lost record.
/// </remarks>
internal static class CostCalculator
{
    private const decimal PerToken = 0.000001m; // rates are per million tokens; multiplying is exact and cheaper than dividing
    private const decimal PerThousand = 0.001m;

    /// <summary>
    /// Whether the period's rates can price every token of the usage: audio tokens need an audio rate (providers bill
    /// them well above text, so pricing them at the text rate would be a wrong price, not an approximate one), video input
    /// tokens a video rate (<see cref="PriceRates.VideoInput"/>), and video output has no rate at all. Images without an
    /// image rate take the text rate, as the providers whose usage reports image tokens (Gemini) bill them.
    /// </summary>
    public static bool CanPrice(TokenUsage usage, PricePeriod period, string? serviceTier = null, DateTimeOffset timestamp = default)
    {
        if (usage.VideoOutputTokens > 0)
        {
            return false;
        }

        if (usage.AudioInputTokens <= 0 && usage.AudioOutputTokens <= 0 && usage.VideoInputTokens <= 0)
        {
            return true;
        }

        var rates = period.RatesFor(serviceTier, usage.InputTokens, timestamp);
        return (usage.AudioInputTokens <= 0 || rates.AudioInput is not null)
            && (usage.AudioOutputTokens <= 0 || rates.AudioOutput is not null)
            && (usage.VideoInputTokens <= 0 || rates.VideoInput is not null);
    }

    /// <summary>Prices a call.</summary>
    /// <param name="usage">The normalized usage.</param>
    /// <param name="period">The price period in force at the call's time.</param>
    /// <param name="currency">The table's currency.</param>
    /// <param name="serviceTier">The tier that served the call (from the response), which picks its rates.</param>
    /// <param name="region">Where the call was served; a region other than <c>global</c> takes the period's regional uplift.</param>
    /// <param name="timestamp">When the call was made, which picks a time-of-day window's rates.</param>
    public static CostBreakdown Calculate(TokenUsage usage, PricePeriod period, string currency, string? serviceTier = null, string? region = null, DateTimeOffset timestamp = default)
    {
        // A time-of-day window, else the tier, then the long-context tier, decide the rates of the whole call.
        var rates = period.RatesFor(serviceTier, usage.InputTokens, timestamp);

        // Cache reads and writes, audio and images are parts of InputTokens: each token is priced once, at its own rate.
        // Providers do not split cached tokens by modality in the usage the SDK reads, so cache reads take the cache rate.
        var audioIn = Math.Max(0, usage.AudioInputTokens);
        var imageIn = Math.Max(0, usage.ImageInputTokens);
        var videoIn = Math.Max(0, usage.VideoInputTokens);
        var uncached = Math.Max(0, usage.InputTokens - usage.CachedInputTokens - usage.CacheWriteInputTokens - audioIn - imageIn - videoIn);
        var input = ((uncached * rates.Input) + (audioIn * (rates.AudioInput ?? rates.Input)) + (imageIn * (rates.ImageInput ?? rates.Input))
            + (videoIn * (rates.VideoInput ?? rates.Input))) * PerToken;
        var cachedInput = usage.CachedInputTokens * (rates.CachedInput ?? rates.Input) * PerToken;

        // One-hour cache writes have their own rate; the rest of the writes are 5-minute writes.
        var writeRate = rates.CacheWrite ?? rates.Input;
        var oneHour = Math.Min(usage.CacheWrite1hInputTokens, usage.CacheWriteInputTokens);
        var cacheWrite = (((usage.CacheWriteInputTokens - oneHour) * writeRate) + (oneHour * (rates.CacheWrite1h ?? writeRate))) * PerToken;

        // Audio and image output are parts of OutputTokens, as reasoning is.
        var audioOut = Math.Max(0, usage.AudioOutputTokens);
        var imageOut = Math.Max(0, usage.ImageOutputTokens);
        var textOut = Math.Max(0, usage.OutputTokens - audioOut - imageOut);
        var output = ((textOut * rates.Output) + (audioOut * (rates.AudioOutput ?? rates.Output)) + (imageOut * (rates.ImageOutput ?? rates.Output))) * PerToken;
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
