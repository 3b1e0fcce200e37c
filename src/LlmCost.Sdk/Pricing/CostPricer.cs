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
        outcome = Decide(record, out var cost, out var price);
        return ReferenceEquals(cost, record.Cost) && ReferenceEquals(price, record.Price) ? record : record with { Cost = cost, Price = price };
    }

    /// <summary>
    /// Prices a record the caller has just built and nobody else has seen (the writer's, on the pump), in place: the same
    /// decision as <see cref="Price"/>, without a second record per call.
    /// </summary>
    /// <param name="record">The new record; it must not have been handed out yet.</param>
    /// <returns>What happened, for the caller's counters and warnings.</returns>
    public PricingOutcome PriceNew(CostRecord record)
    {
        var outcome = Decide(record, out var cost, out var price);
        if (!ReferenceEquals(cost, record.Cost) || !ReferenceEquals(price, record.Price))
        {
            record.SetPricing(cost, price);
        }

        return outcome;
    }

    /// <summary>The pricing policy: the cost and price reference a record gets, and why.</summary>
    private PricingOutcome Decide(CostRecord record, out CostBreakdown? cost, out PriceReference? price)
    {
        if (record.Cost is { ReportedByProvider: true })
        {
            cost = record.Cost;
            price = record.Price;
            return PricingOutcome.ReportedByProvider;
        }

        cost = null;
        price = null;
        if (record.Usage.Source == UsageSource.None && record.ErrorType is null)
        {
            // Tokens were billed but are unknown, so the cost is unknown too.
            return PricingOutcome.MissingUsage;
        }

        if (record.Usage.Source == UsageSource.None && record.StatusCode is >= 200 and < 300)
        {
            // The provider answered and was generating when the body failed (a reset, a timeout, a cancel): it bills what
            // it generated, which is unknown. Not $0 — that is for calls refused with an error status.
            return PricingOutcome.FailedAfterResponse;
        }

        if (_resolver.TryPrice(record.Provider, record.Model, record.RequestModel, record.Usage, record.Timestamp, record.ServiceTier, record.Region, out cost, out price))
        {
            // The resolver found a price but the amount overflowed: the record keeps a null cost.
            return cost is null ? PricingOutcome.Overflow : PricingOutcome.Priced;
        }

        return record.Usage.Source == UsageSource.None ? PricingOutcome.NotBillable : PricingOutcome.UnknownModel;
    }
}
