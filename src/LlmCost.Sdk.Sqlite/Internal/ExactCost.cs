namespace LlmCost.Sdk;

/// <summary>
/// Splits a cost into whole nano-dollars and the atto-dollars beyond them, two integers SQLite can sum exactly
/// (its own <c>SUM</c> of decimal text goes through floating point). Joined again they give the decimal back for any
/// cost with at most 18 decimal places; further places (none of the SDK's prices produce them) are cut off in the sums,
/// while <c>cost_total</c> keeps each record's exact value.
/// </summary>
internal static class ExactCost
{
    private const decimal PerNano = 1_000_000_000m;
    private const decimal NanosPerUsd = 0.000_000_001m;
    private const decimal AttosPerUsd = 0.000_000_000_000_000_001m;

    /// <summary>Splits a cost (both parts carry its sign).</summary>
    public static (long Nanos, long Attos) Split(decimal cost)
    {
        var scaled = cost * PerNano;
        var nanos = decimal.Truncate(scaled);
        var attos = decimal.Truncate((scaled - nanos) * PerNano);
        return ((long)nanos, (long)attos);
    }

    /// <summary>Joins sums of the two parts into the exact decimal.</summary>
    public static decimal Join(long nanos, long attos) => (nanos * NanosPerUsd) + (attos * AttosPerUsd);
}
