namespace LlmCost.Sdk.Reporting;

/// <summary>
/// A fixed monthly cost that no record carries (seats, provisioned throughput, a self-hosted GPU bill), allocated in a
/// report to the groups in its scope by their share of tokens, so the report's total matches what the company pays.
/// </summary>
public sealed record FixedCostLine
{
    /// <summary>Gets the name of the line, such as <c>ChatGPT Enterprise seats</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the amount per calendar month in USD; a report over part of a month takes the part by days.</summary>
    public required decimal MonthlyAmount { get; init; }

    /// <summary>
    /// Gets the records the line is shared among: a value per dimension (for example team = <c>support</c>); all of them
    /// must match. Empty shares the line among all records.
    /// </summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyDictionary<CostDimension, string> Scope { get; init; } = new Dictionary<CostDimension, string>();
}
