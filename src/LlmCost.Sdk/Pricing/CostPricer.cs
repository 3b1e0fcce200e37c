namespace LlmCost.Sdk;

/// <summary>
/// The one pricing policy, shared by the live path (the pump prices each call's unpriced record), batch results and
/// <see cref="CostRecordRepricer"/>: what a record costs, given a price table and the application's model aliases.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description>A cost the provider reported itself (<see cref="CostBreakdown.ReportedByProvider"/>, OpenRouter) is kept: it is what was billed, whatever the table says.</description></item>
/// <item><description>A successful call whose usage is unknown (<see cref="UsageSource.None"/>) has an unknown cost (<see langword="null"/>), never $0; so has a call whose 2xx response failed while its body was read (the provider was generating).</description></item>
/// <item><description>Otherwise the entry is found through the aliases, the served model then the requested one, and priced by the period in force at the record's timestamp, its service tier and region; a model the table lacks gets a <see langword="null"/> cost and price.</description></item>
/// </list>
/// Thread-safe: holds immutable state only; never throws for unknown models or missing usage.
/// </remarks>
internal sealed class CostPricer
{
    private readonly PriceResolver _resolver;

    public CostPricer(PriceTable table, IReadOnlyDictionary<string, string>? modelAliases = null) =>
        _resolver = new PriceResolver(table, modelAliases);

    /// <summary>Prices from a source whose table <see cref="LlmCostOptions.PriceTableUpdate"/> may swap; each record is priced from one snapshot.</summary>
    public CostPricer(PriceTableSource source, IReadOnlyDictionary<string, string>? modelAliases = null) =>
        _resolver = new PriceResolver(source, modelAliases);

    /// <summary>Gets how many costs overflowed (each recorded with a null cost).</summary>
    public long CostOverflows => _resolver.CostOverflows;

    /// <summary>Gets the table records are priced with.</summary>
    public PriceTable Table => _resolver.Table;

    /// <summary>Finds the entry that prices a model, through the application's model aliases (as pricing does).</summary>
    public bool TryGetEntry(string provider, string? model, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PriceEntry? entry) =>
        _resolver.TryResolve(provider, model, model, out entry);

    /// <summary>Prices a record; returns the same instance when nothing changes.</summary>
    /// <param name="record">The record, priced or not.</param>
    /// <param name="outcome">What happened, for the caller's counters and warnings.</param>
    public CostRecord Price(CostRecord record, out PricingOutcome outcome)
    {
        if (record.Cost is { ReportedByProvider: true })
        {
            outcome = PricingOutcome.ReportedByProvider;
            return record;
        }

        if (record.Usage.Source == UsageSource.None && record.ErrorType is null)
        {
            // Tokens were billed but are unknown, so the cost is unknown too.
            outcome = PricingOutcome.MissingUsage;
            return record.Cost is null && record.Price is null ? record : record with { Cost = null, Price = null };
        }

        if (record.Usage.Source == UsageSource.None && record.StatusCode is >= 200 and < 300)
        {
            // The provider answered and was generating when the body failed (a reset, a timeout, a cancel): it bills what
            // it generated, which is unknown. Not $0 — that is for calls refused with an error status.
            outcome = PricingOutcome.FailedAfterResponse;
            return record.Cost is null && record.Price is null ? record : record with { Cost = null, Price = null };
        }

        if (_resolver.TryPrice(record.Provider, record.Model, record.RequestModel, record.Usage, record.Timestamp, record.ServiceTier, record.Region, out var cost, out var price))
        {
            // The resolver found a price but the amount overflowed: the record keeps a null cost.
            outcome = cost is null ? PricingOutcome.Overflow : PricingOutcome.Priced;
        }
        else
        {
            outcome = record.Usage.Source == UsageSource.None ? PricingOutcome.NotBillable : PricingOutcome.UnknownModel;
        }

        return ReferenceEquals(cost, record.Cost) && ReferenceEquals(price, record.Price) ? record : record with { Cost = cost, Price = price };
    }
}
