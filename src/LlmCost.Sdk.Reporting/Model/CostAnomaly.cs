namespace LlmCost.Sdk.Reporting;

/// <summary>
/// A day whose spend in one scope was far from its recent usual: the robust z-score 0.6745·(spend − median)/MAD over the
/// same kind of days (weekdays or weekend days) of the trailing window is beyond the threshold (median and median absolute
/// deviation, so one past spike does not hide the next). The MAD is floored at 5% of the median and at
/// <see cref="CostReportOptions.AnomalyMinimumChange"/>, so a flat series needs a real change to be unusual.
/// </summary>
public sealed record CostAnomaly
{
    /// <summary>Gets the day.</summary>
    public required DateOnly Date { get; init; }

    /// <summary>Gets the scope's dimension, or <see langword="null"/> for the total spend.</summary>
    public CostDimension? Dimension { get; init; }

    /// <summary>Gets the scope's value (<see langword="null"/> for the total, or for records without the dimension).</summary>
    public string? Key { get; init; }

    /// <summary>Gets the day's spend.</summary>
    public decimal Cost { get; init; }

    /// <summary>Gets the median daily spend of the trailing window.</summary>
    public decimal Median { get; init; }

    /// <summary>Gets the median absolute deviation of the trailing window.</summary>
    public decimal Mad { get; init; }

    /// <summary>Gets the robust z-score; positive for a spike, negative for a drop.</summary>
    public decimal Score { get; init; }
}
