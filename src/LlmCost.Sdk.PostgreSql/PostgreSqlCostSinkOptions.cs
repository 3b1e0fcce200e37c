namespace LlmCost.Sdk;

/// <summary>Options of the <see cref="PostgreSqlCostSink"/>.</summary>
public sealed class PostgreSqlCostSinkOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether the sink creates the schema when missing and migrates it forward, once,
    /// before its first batch. Set it to <see langword="false"/> when a DBA manages the schema (the sink then only writes).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool MigrateSchema { get; set; } = true;
}
