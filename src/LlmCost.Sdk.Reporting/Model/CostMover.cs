namespace LlmCost.Sdk.Reporting;

/// <summary>A group whose spend changed week over week: the last 7 days against the 7 days before.</summary>
public sealed record CostMover
{
    /// <summary>Gets the group's values, one per <see cref="CostReport.GroupBy"/> dimension.</summary>
    public required IReadOnlyList<string?> Keys { get; init; }

    /// <summary>Gets the spend of the last 7 days, to the as-of day.</summary>
    public decimal ThisWeek { get; init; }

    /// <summary>Gets the spend of the 7 days before those.</summary>
    public decimal LastWeek { get; init; }

    /// <summary>Gets <see cref="ThisWeek"/> minus <see cref="LastWeek"/>.</summary>
    public decimal Change => ThisWeek - LastWeek;

    /// <summary>Gets the change in percent of last week, or <see langword="null"/> when the group is new.</summary>
    public decimal? ChangePercent => LastWeek == 0 ? null : decimal.Round(Change / LastWeek * 100m, 2);
}
