namespace LlmCost.Sdk;

/// <summary>One model's prices: its ids and its price periods, oldest first.</summary>
public sealed class PriceEntry
{
    /// <summary>Initializes a new instance of the <see cref="PriceEntry"/> class.</summary>
    /// <param name="provider">The provider, as a <c>gen_ai.provider.name</c> value.</param>
    /// <param name="model">The model id.</param>
    /// <param name="aliases">Other model ids billed at the same prices.</param>
    /// <param name="periods">The price periods, oldest first.</param>
    /// <param name="source">Where the prices were published.</param>
    /// <param name="retrieved">When they were read there.</param>
    /// <param name="prefixes">Model-id prefixes this entry prices when no entry names the id exactly (genai-prices' <c>starts_with</c>).</param>
    public PriceEntry(string provider, string model, IReadOnlyList<string> aliases, IReadOnlyList<PricePeriod> periods, string? source = null, DateOnly? retrieved = null, IReadOnlyList<string>? prefixes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(aliases);
        ArgumentNullException.ThrowIfNull(periods);
        Provider = provider;
        Model = model;
        Aliases = aliases;
        Periods = periods;
        Source = source;
        Retrieved = retrieved;
        Prefixes = prefixes ?? [];
        Id = provider + "/" + model;
    }

    /// <summary>Gets the entry id, <c>provider/model</c>.</summary>
    public string Id { get; }

    /// <summary>Gets the provider.</summary>
    public string Provider { get; }

    /// <summary>Gets the model id.</summary>
    public string Model { get; }

    /// <summary>Gets other model ids billed at the same prices.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>
    /// Gets model-id prefixes this entry prices when no entry names a model exactly, through an alias or without its
    /// snapshot date: the longest matching prefix of the provider wins (<c>magistral-medium</c> prices
    /// <c>magistral-medium-2509</c>).
    /// </summary>
    public IReadOnlyList<string> Prefixes { get; }

    /// <summary>Gets the price periods, oldest first.</summary>
    public IReadOnlyList<PricePeriod> Periods { get; }

    /// <summary>Gets where the prices were published.</summary>
    public string? Source { get; }

    /// <summary>Gets when the prices were read from <see cref="Source"/>.</summary>
    public DateOnly? Retrieved { get; }

    /// <summary>
    /// Gets the most output tokens one call to this model can produce, as documented by the provider (or the catalog the
    /// table was generated from), or <see langword="null"/> when no maximum is known. Pre-flight estimates
    /// (<see cref="ILlmCostEstimator"/>) use it when a request names no max-tokens field.
    /// </summary>
    public int? MaxOutputTokens { get; init; }

    /// <summary>Gets the period in force at 00:00 UTC on a day: the latest that started at or before that instant (the first one for earlier days).</summary>
    /// <param name="day">The day, in UTC.</param>
    /// <returns>The period.</returns>
    public PricePeriod PeriodAt(DateOnly day) => PeriodAt(new DateTimeOffset(day.DayNumber * TimeSpan.TicksPerDay, TimeSpan.Zero));

    /// <summary>Gets the period in force at an instant: the latest that started at or before it (the first one for earlier instants).</summary>
    /// <param name="at">The instant, such as a call's timestamp.</param>
    /// <returns>The period.</returns>
    public PricePeriod PeriodAt(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        var periods = Periods;
        for (var i = periods.Count - 1; i > 0; i--)
        {
            if (periods[i].EffectiveFromUtc.UtcTicks <= ticks)
            {
                return periods[i];
            }
        }

        return periods[0];
    }
}
