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
}
