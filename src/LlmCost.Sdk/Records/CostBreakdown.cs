namespace LlmCost.Sdk;

/// <summary>
/// The cost of one call, split by token kind. The parts add up to <see cref="Total"/> (unless the provider reported
/// only a total, <see cref="ReportedByProvider"/>).
/// </summary>
public sealed record CostBreakdown
{
    /// <summary>Gets the ISO 4217 currency code.</summary>
    /// <value>The default value is <c>USD</c>.</value>
    public string Currency { get; init; } = "USD";

    /// <summary>Gets the cost of the input tokens that were neither read from nor written to a cache.</summary>
    public decimal Input { get; init; }

    /// <summary>Gets the cost of the input tokens read from a prompt cache.</summary>
    public decimal CachedInput { get; init; }

    /// <summary>Gets the cost of the input tokens written to a prompt cache.</summary>
    public decimal CacheWrite { get; init; }

    /// <summary>Gets the cost of the output tokens, reasoning included.</summary>
    public decimal Output { get; init; }

    /// <summary>
    /// Gets the cost of per-request charges (server-side web searches). Written to JSON as <c>requests</c> only when it is not zero.
    /// </summary>
    public decimal Requests { get; init; }

    /// <summary>
    /// Gets a value indicating whether the provider reported this cost itself (OpenRouter's <c>usage.cost</c>): then
    /// only <see cref="Total"/> is known, no price-table entry priced it, and JSON says <c>"source":"provider"</c>.
    /// </summary>
    public bool ReportedByProvider { get; init; }

    /// <summary>Gets the total cost.</summary>
    public decimal Total { get; init; }
}
