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
    /// bucket and group that reports read instead of the records. It pays off when many records share a bucket and group
    /// (a few features, teams and models); when nearly every record is its own group (a tag with one value per call,
    /// such as a customer id over many customers), the rollup is as large as the records and only costs the writer, so
    /// turn it off: the sink then marks the rollup incomplete and the store reads the records (through their covering
    /// index). To turn it back on after it was off, run <c>SELECT llmcost_rebuild_rollups();</c> once, which recomputes it from the records.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Rollup { get; set; } = true;

    /// <summary>
    /// Gets or sets how many connections the sink writes a batch on at once: a batch is split into up to this many
    /// parts (of at least 64 records each), each copied and committed in its own transaction, so one part is encoded
    /// while another is inserted and committed. The batch is acknowledged when every part is committed; a batch with a
    /// failed part is retried whole, and the parts already committed are skipped by record id. More than one pays off
    /// when the database server has cores to spare; on a machine that runs both the app and the server with few cores,
    /// concurrent inserts into the same index pages cost more CPU per record than they save in waiting.
    /// </summary>
    /// <value>The default value is 1 (each batch on one connection, as measured best on a 2-core machine running both); from 1 to <see cref="MaxConnections"/>.</value>
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
