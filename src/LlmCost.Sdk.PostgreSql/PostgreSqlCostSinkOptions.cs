namespace LlmCost.Sdk;

/// <summary>Options of the <see cref="PostgreSqlCostSink"/>.</summary>
public sealed class PostgreSqlCostSinkOptions
{
    /// <summary>The most connections a sink may use (<see cref="Connections"/>).</summary>
    public const int MaxConnections = 16;

    /// <summary>
    /// Gets or sets a value indicating whether the sink creates the schema when missing and migrates it forward, once,
    /// before its first batch. Set it to <see langword="false"/> when a DBA manages the schema (the sink then only writes).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool MigrateSchema { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether the sink adds each batch to <c>cost_rollups</c>, the sums per 15-minute
    /// bucket and group that reports read instead of the records: one row per bucket and group of provider, model,
    /// feature, team and environment, and one per bucket and customer (schema version 6). It pays off when many records
    /// share a bucket and group — dense data, which is where write speed matters; when records are sparse (a few per
    /// 15 minutes), nearly every record is its own group, the rollup has as many rows as the records or more, and it only
    /// costs the writer, so turn it off: the sink then marks the rollup incomplete and the store reads the records
    /// (through their covering index). To turn it back on after it was off, run <c>SELECT llmcost_rebuild_rollups();</c>
    /// once, which recomputes it from the records.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Rollup { get; set; } = true;

    /// <summary>
    /// Gets or sets how many connections the sink writes a batch on: a batch is split into up to this many parts (of at
    /// least 64 records each), each copied and committed in its own transaction on its own connection, pipelined: while
    /// one part's rollup and commit run on its connection (the commit mostly waits for the server's WAL flush), the next
    /// part is encoded and copied on the next. The batch is acknowledged when every part is committed; a batch with a
    /// failed part is retried whole, and the parts already committed are skipped by record id. Each connection is one
    /// more server backend per app instance.
    /// </summary>
    public int Connections { get; set; } = 1;

    /// <summary>Throws when an option is out of its range.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Connections"/> is not between 1 and <see cref="MaxConnections"/>.</exception>
    internal void Validate()
    {
        if (Connections is < 1 or > MaxConnections)
        {
            throw new ArgumentOutOfRangeException(nameof(Connections), Connections, $"PostgreSqlCostSinkOptions.Connections must be between 1 and {MaxConnections}.");
        }
    }
}
