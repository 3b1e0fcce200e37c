namespace LlmCost.Sdk;

/// <summary>What <see cref="CostPricer.Price"/> did with a record.</summary>
internal enum PricingOutcome
{
    /// <summary>Priced from the table.</summary>
    Priced,

    /// <summary>Kept the cost the provider reported.</summary>
    ReportedByProvider,

    /// <summary>A successful call without usage: cost unknown.</summary>
    MissingUsage,

    /// <summary>Usage known, but the table has no entry for the model: cost unknown.</summary>
    UnknownModel,

    /// <summary>A failed call without usage and without a price: nothing to bill.</summary>
    NotBillable,

    /// <summary>The price was found but the cost overflowed <see cref="decimal"/>: cost unknown, never a lost record.</summary>
    Overflow,

    /// <summary>A call whose 2xx response failed while its body was read, without (complete) usage: cost unknown, never $0.</summary>
    FailedAfterResponse,
}
