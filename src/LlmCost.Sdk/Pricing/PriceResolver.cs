namespace LlmCost.Sdk;

/// <summary>
/// Finds the price-table entry for a call from the models it names, through the application's model aliases
/// (<see cref="LlmCostOptions.ModelAliases"/>: Azure deployment names, Bedrock application inference-profile ARNs).
/// </summary>
/// <remarks>
/// Order: the served model's alias, the requested model's alias (configuration beats inference: a deployment the
/// application mapped is priced as it says), the served model, the requested model. Lookups never throw.
/// </remarks>
internal sealed class PriceResolver
{
    private readonly IReadOnlyDictionary<string, string> _aliases;

    public PriceResolver(PriceTable table, IReadOnlyDictionary<string, string>? aliases = null)
    {
        Table = table;
        _aliases = aliases is { Count: > 0 }
            ? new Dictionary<string, string>(aliases, StringComparer.OrdinalIgnoreCase)
            : System.Collections.Frozen.FrozenDictionary<string, string>.Empty;
    }

    public PriceTable Table { get; }

    public bool TryResolve(string provider, string? model, string? requestModel, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PriceEntry? entry)
    {
        entry = null;
        if (_aliases.Count > 0)
        {
            if (model is not null && _aliases.TryGetValue(model, out var mapped) && Table.TryGetEntry(provider, mapped, out entry))
            {
                return true;
            }

            if (requestModel is not null && _aliases.TryGetValue(requestModel, out mapped) && Table.TryGetEntry(provider, mapped, out entry))
            {
                return true;
            }
        }

        return Table.TryGetEntry(provider, model, out entry)
            || (!string.Equals(model, requestModel, StringComparison.Ordinal) && Table.TryGetEntry(provider, requestModel, out entry));
    }

    /// <summary>Prices a call's usage: the period in force at its time, its service tier and region, or the provider's own reported cost.</summary>
    public bool TryPrice(
        string provider,
        string? model,
        string? requestModel,
        TokenUsage usage,
        DateTimeOffset timestamp,
        string? serviceTier,
        string? region,
        out CostBreakdown? cost,
        out PriceReference? price)
    {
        cost = null;
        price = null;
        if (!TryResolve(provider, model, requestModel, out var entry))
        {
            return false;
        }

        var period = entry.PeriodAt(DateOnly.FromDateTime(timestamp.UtcDateTime));
        cost = CostCalculator.Calculate(usage, period, Table.Currency, serviceTier, region);
        price = Table.ReferenceFor(entry, period);
        return true;
    }
}
