namespace LlmCost.Sdk;

/// <summary>
/// A price given in options: it adds a model to the price table, or replaces the table's entry for the same provider and model.
/// </summary>
/// <remarks>Rates are in the table's currency per million tokens.</remarks>
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

    /// <summary>Gets or sets the rate for uncached input tokens.</summary>
    public decimal Input { get; set; }

    /// <summary>Gets or sets the rate for input tokens read from a cache, or <see langword="null"/> for <see cref="Input"/>.</summary>
    public decimal? CachedInput { get; set; }

    /// <summary>Gets or sets the rate for input tokens written to a cache, or <see langword="null"/> for <see cref="Input"/>.</summary>
    public decimal? CacheWrite { get; set; }

    /// <summary>Gets or sets the rate for one-hour cache writes, or <see langword="null"/> for <see cref="CacheWrite"/>.</summary>
    public decimal? CacheWrite1h { get; set; }

    /// <summary>Gets or sets the rate for output tokens.</summary>
    public decimal Output { get; set; }
}
