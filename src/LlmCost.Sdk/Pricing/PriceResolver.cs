namespace LlmCost.Sdk;

/// <summary>
/// Finds the price-table entry for a call from the models it names, through the application's model aliases
/// (<see cref="LlmCostOptions.ModelAliases"/>: Azure deployment names, Bedrock application inference-profile ARNs).
/// </summary>
/// <remarks>
/// Order: the served model's alias, the requested model's alias (configuration beats inference: a deployment the
/// application mapped is priced as it says), the served model, the requested model. Lookups never throw. Each
/// <see cref="TryPrice"/> reads one snapshot of the table, so a table swapped by <see cref="LlmCostOptions.PriceTableUpdate"/>
/// never prices half a record.
/// </remarks>
internal sealed class PriceResolver
{
    private readonly IReadOnlyDictionary<string, string> _aliases;
    private readonly PriceTableSource _source;
    private long _overflows;

    public PriceResolver(PriceTable table, IReadOnlyDictionary<string, string>? aliases = null)
        : this(new PriceTableSource(table), aliases)
    {
    }

    public PriceResolver(PriceTableSource source, IReadOnlyDictionary<string, string>? aliases = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _aliases = aliases is { Count: > 0 }
            ? new Dictionary<string, string>(aliases, StringComparer.OrdinalIgnoreCase)
            : System.Collections.Frozen.FrozenDictionary<string, string>.Empty;
    }

    /// <summary>Gets the table in force now.</summary>
    public PriceTable Table => _source.Current;

    /// <summary>Gets the number of calls whose cost overflowed <see cref="decimal"/> and were recorded with a null cost.</summary>
    public long CostOverflows => Interlocked.Read(ref _overflows);

    public bool TryResolve(string provider, string? model, string? requestModel, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PriceEntry? entry) =>
        TryResolve(_source.Current, provider, model, requestModel, out entry, out _);

    /// <summary>
    /// Prices a call's usage: the period in force at its time, its service tier, region and time of day. Returns
    /// <see langword="true"/> with a null <paramref name="cost"/> (and a <paramref name="price"/>) when the amount
    /// overflows, which <see cref="CostOverflows"/> counts.
    /// </summary>
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
        var table = _source.Current; // one snapshot per record
        if (!TryResolve(table, provider, model, requestModel, out var entry, out var requestModelFallback))
        {
            return false;
        }

        var period = entry.PeriodAt(timestamp);
        price = table.ReferenceFor(entry, period);
        if (requestModelFallback)
        {
            price = price with { RequestModelFallback = true }; // the record says the response's model was not priced
        }

        if (!CostCalculator.CanPrice(usage, period, serviceTier, timestamp))
        {
            // Tokens the rates cannot price (audio without an audio rate, video): no cost rather than a wrong one.
            return true;
        }

        try
        {
            cost = CostCalculator.Calculate(usage, period, table.Currency, serviceTier, region, timestamp);
        }
        catch (OverflowException)
        {
            Interlocked.Increment(ref _overflows);
        }

        return true;
    }

    /// <summary>
    /// Finds the entry; <paramref name="requestModelFallback"/> says the response named a model that neither an alias nor
    /// the table knows, and the entry is the requested model's (an alias the application set for the requested model is
    /// its choice, but the served model was still not found).
    /// </summary>
    private bool TryResolve(
        PriceTable table,
        string provider,
        string? model,
        string? requestModel,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PriceEntry? entry,
        out bool requestModelFallback)
    {
        entry = null;
        requestModelFallback = false;
        if (_aliases.Count > 0)
        {
            if (model is not null && _aliases.TryGetValue(model, out var mapped) && table.TryGetEntry(provider, mapped, out entry))
            {
                return true;
            }

            if (requestModel is not null && _aliases.TryGetValue(requestModel, out mapped) && table.TryGetEntry(provider, mapped, out entry))
            {
                requestModelFallback = model is not null && !string.Equals(model, requestModel, StringComparison.Ordinal)
                    && !table.TryGetEntry(provider, model, out _);
                return true;
            }
        }

        if (table.TryGetEntry(provider, model, out entry))
        {
            return true;
        }

        if (!string.Equals(model, requestModel, StringComparison.Ordinal) && table.TryGetEntry(provider, requestModel, out entry))
        {
            requestModelFallback = model is not null;
            return true;
        }

        return false;
    }
}
