namespace LlmCost.Sdk;

/// <summary>Which price-table entry and period priced a record, so the cost can be audited or re-priced.</summary>
public sealed record PriceReference
{
    /// <summary>Gets the data version of the price table, such as <c>2026.11.1</c>.</summary>
    public required string TableVersion { get; init; }

    /// <summary>Gets the entry id, <c>provider/model</c>, such as <c>openai/gpt-4o</c>.</summary>
    public required string Entry { get; init; }

    /// <summary>Gets the first day the price period that was applied is in force.</summary>
    public DateOnly EffectiveFrom { get; init; }

    /// <summary>
    /// Gets a value indicating whether the model the response named is not in the price table, so the call was priced as
    /// the model the request named (<see cref="CostRecord.RequestModel"/>, priced by <see cref="Entry"/>): a served snapshot
    /// or variant the table does not list yet may cost more or less than the model asked for. Written to JSON as
    /// <c>requestModelFallback: true</c> only when set.
    /// </summary>
    public bool RequestModelFallback { get; init; }

    /// <summary>
    /// Gets the time of day (UTC) on <see cref="EffectiveFrom"/> at which the period took effect
    /// (<see cref="PricePeriod.EffectiveFromTime"/>). In JSON, <c>effectiveFrom</c> is then an instant,
    /// <c>2026-08-16T16:00:00Z</c>, rather than a date.
    /// </summary>
    /// <value>The default value is midnight: the period started with its day.</value>
    public TimeOnly EffectiveFromTime { get; init; }
}
