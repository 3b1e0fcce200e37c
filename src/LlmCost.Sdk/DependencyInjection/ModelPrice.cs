namespace LlmCost.Sdk;

/// <summary>
/// A price given in options: it adds a model to the price table, or replaces the table's entry for the same provider and
/// model, with one price period (<see cref="PricePeriod"/>) whose rates are these (<see cref="PriceRates"/>).
/// </summary>
/// <remarks>
/// Rates are in the table's currency per million tokens, from 0 to <see cref="PriceTable.MaxRate"/>, checked at
/// start-up like the rates of a price-table file. This class is the configuration-bindable form of a table entry; it is
/// turned into a <see cref="PriceEntry"/> once, at start-up.
/// </remarks>
public sealed class ModelPrice
{
    /// <summary>Gets or sets the provider, as a <c>gen_ai.provider.name</c> value.</summary>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the model id.</summary>
    public string? Model { get; set; }

    /// <summary>Gets other model ids billed at this price.</summary>
    public IList<string> Aliases { get; } = [];

    /// <summary>Gets or sets the first day the price is in force.</summary>
    /// <value>The default value is <see cref="DateOnly.MinValue"/>: always.</value>
    public DateOnly EffectiveFrom { get; set; } = DateOnly.MinValue;

    /// <summary>Gets or sets the rate for uncached text input tokens.</summary>
    public decimal Input { get; set; }

    /// <summary>Gets or sets the rate for input tokens read from a cache, or <see langword="null"/> for <see cref="Input"/>.</summary>
    public decimal? CachedInput { get; set; }

    /// <summary>Gets or sets the rate for input tokens written to a cache, or <see langword="null"/> for <see cref="Input"/>.</summary>
    public decimal? CacheWrite { get; set; }

    /// <summary>Gets or sets the rate for one-hour cache writes, or <see langword="null"/> for <see cref="CacheWrite"/>.</summary>
    public decimal? CacheWrite1h { get; set; }

    /// <summary>Gets or sets the rate for text output tokens.</summary>
    public decimal Output { get; set; }

    /// <summary>Gets or sets the rate for audio input tokens, or <see langword="null"/> for <see cref="Input"/>.</summary>
    public decimal? AudioInput { get; set; }

    /// <summary>Gets or sets the rate for audio output tokens, or <see langword="null"/> for <see cref="Output"/>.</summary>
    public decimal? AudioOutput { get; set; }

    /// <summary>The rates as the table holds them.</summary>
    internal PriceRates ToRates() => new()
    {
        Input = Input,
        CachedInput = CachedInput,
        CacheWrite = CacheWrite,
        CacheWrite1h = CacheWrite1h,
        Output = Output,
        AudioInput = AudioInput,
        AudioOutput = AudioOutput,
    };
}
