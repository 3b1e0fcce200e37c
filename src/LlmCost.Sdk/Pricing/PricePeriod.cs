namespace LlmCost.Sdk;

/// <summary>
/// The prices of one model from a date (or an instant) on: base rates per million tokens with their long-context tiers
/// (<see cref="Rates"/>), and the rules that change them — service tiers, time-of-day windows, per-request charges and
/// regional uplifts.
/// </summary>
public sealed record PricePeriod
{
    private static readonly IReadOnlyDictionary<string, TieredPriceRates> EmptyTiers =
        new Dictionary<string, TieredPriceRates>(StringComparer.OrdinalIgnoreCase).AsReadOnly();

    /// <summary>Gets the first day (UTC) on which these rates are in force; <see cref="DateOnly.MinValue"/> when no start date is published (in force since the model was first offered).</summary>
    public DateOnly EffectiveFrom { get; init; }

    /// <summary>
    /// Gets the time of day (UTC) on <see cref="EffectiveFrom"/> at which these rates take effect, for a price change
    /// announced for an hour rather than a day (DeepSeek's peak pricing took effect at 16:00 UTC on 2026-08-16).
    /// </summary>
    /// <value>The default value is midnight: the period starts with its day.</value>
    public TimeOnly EffectiveFromTime { get; init; }

    /// <summary>Gets the instant (UTC) from which these rates are in force: <see cref="EffectiveFrom"/> at <see cref="EffectiveFromTime"/>.</summary>
    public DateTimeOffset EffectiveFromUtc => new((EffectiveFrom.DayNumber * TimeSpan.TicksPerDay) + EffectiveFromTime.Ticks, TimeSpan.Zero);

    /// <summary>Gets the base rates and their long-context tiers.</summary>
    public required TieredPriceRates Rates { get; init; }

    /// <summary>
    /// Gets the rates of service tiers that are not billed at the base rates, by the tier's name as a response or a
    /// record's <see cref="CostRecord.ServiceTier"/> names it: <c>batch</c> (OpenAI Batch API, Anthropic Message
    /// Batches, Gemini and Bedrock batch), <c>flex</c>, <c>priority</c>. Names are matched ignoring case; a tier not
    /// listed (<c>default</c>, <c>standard</c>, <c>auto</c>) is priced at the base rates.
    /// </summary>
    public IReadOnlyDictionary<string, TieredPriceRates> ServiceTiers { get; init; } = EmptyTiers;

    /// <summary>
    /// Gets the time-of-day windows in which other rates apply (DeepSeek's peak hours), first match wins. A period with
    /// windows has no service tiers.
    /// </summary>
    public IReadOnlyList<PriceWindow> Windows { get; init; } = [];

    /// <summary>Gets the charge per 1,000 server-side web searches, or <see langword="null"/> when none is published.</summary>
    public decimal? WebSearch { get; init; }

    /// <summary>
    /// Gets the multiplier applied to every charge of a call served from a regional or geographic endpoint rather than
    /// a global one (Claude on Bedrock and Vertex AI: 1.1), or <see langword="null"/> when there is none.
    /// </summary>
    public decimal? RegionalUplift { get; init; }

    /// <summary>Gets where this period's rates were published, when it differs from the entry's <see cref="PriceEntry.Source"/>.</summary>
    public string? Source { get; init; }

    /// <summary>Picks the rates that price a call: a time-of-day window's (when one contains the call), else its service tier's (when listed), then the long-context tier its input crosses.</summary>
    /// <param name="serviceTier">The served service tier, or <see langword="null"/>.</param>
    /// <param name="inputTokens">All input tokens of the call, cache reads and writes included.</param>
    /// <param name="timestamp">When the call was made.</param>
    /// <returns>The rates.</returns>
    public PriceRates RatesFor(string? serviceTier, long inputTokens, DateTimeOffset timestamp)
    {
        var windows = Windows;
        for (var i = 0; i < windows.Count; i++)
        {
            if (windows[i].Contains(timestamp))
            {
                return windows[i].Rates.ForInput(inputTokens);
            }
        }

        var rates = Rates;
        if (serviceTier is not null && ServiceTiers.Count > 0 && ServiceTiers.TryGetValue(serviceTier, out var tier))
        {
            rates = tier;
        }

        return rates.ForInput(inputTokens);
    }
}
