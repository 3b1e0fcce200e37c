namespace LlmCost.Sdk;

/// <summary>
/// Keeps the price table current while the application runs (opt-in): a table in the SDK's format is read from
/// <see cref="Source"/> every <see cref="Interval"/>, validated like the embedded table, and swapped in atomically.
/// </summary>
/// <remarks>
/// On any failure (unreachable, not JSON, invalid data, an empty table) the last good table stays in force, a warning is
/// logged and the failure is counted; the application's calls are never affected. Records name the version of the table
/// that priced them (<see cref="PriceReference.TableVersion"/>), so a swap is visible in the data.
/// <see cref="LlmCostOptions.Prices"/> still apply on top of every table taken.
/// </remarks>
public sealed class PriceTableUpdateOptions
{
    /// <summary>
    /// Gets or sets where the table is read: an absolute <c>http</c> or <c>https</c> URL, or a file path.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no updates, the table read at start-up stays.</value>
    public string? Source { get; set; }

    /// <summary>Gets or sets how often <see cref="Source"/> is read. The first read is at start-up.</summary>
    /// <value>The default value is 6 hours; at least 1 minute.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Gets or sets how long one read may take before it counts as a failure.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
