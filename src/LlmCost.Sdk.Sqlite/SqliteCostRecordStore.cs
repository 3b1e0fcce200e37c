using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmCost.Sdk;

/// <summary>
/// Reads a SQLite file written by <see cref="SqliteCostSink"/>: sums per time bucket and group for reports
/// (<see cref="ICostRecordQuery"/>), and the records themselves.
/// </summary>
/// <remarks>
/// The sums are computed by SQLite (<c>GROUP BY</c> bucket and dimensions over the covering index
/// <c>ix_cost_records_aggregate</c>), so memory does not grow with the number of records. Costs are summed as exact
/// integers (nano- and atto-dollars) and returned as the exact <see cref="decimal"/>. A file of an older schema version
/// is migrated forward when opened. Each call opens its own connection: the store is thread-safe and can read while
/// sinks write (WAL).
/// </remarks>
public sealed class SqliteCostRecordStore : ICostRecordQuery
{
    /// <summary>Initializes a new instance of the <see cref="SqliteCostRecordStore"/> class. Nothing is opened until a query runs.</summary>
    /// <param name="path">The database file written by <see cref="SqliteCostSink"/>.</param>
    public SqliteCostRecordStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidOperationException">The file is not an LlmCost store, or a newer package version wrote it.</exception>
    /// <exception cref="ArgumentException">The bucket size is not a positive whole multiple of <see cref="CostAggregateQuery.DefaultBucketSize"/>, or <see cref="CostAggregateQuery.GroupBy"/> is null or names an unknown dimension.</exception>
    /// <remarks>
    /// Several <see cref="CostAggregateQuery.GroupingSets"/> (SQLite has no <c>GROUPING SETS</c>) are one statement per set
    /// in one read transaction, so every set sums the same records even while a writer appends.
    /// </remarks>
    public IAsyncEnumerable<CostAggregate> AggregateAsync(CostAggregateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = query.EffectiveGroupingSets.Select(BuildAggregateSql).ToArray(); // an unknown dimension fails here, not in the enumeration
        return AggregateCoreAsync(query, sql, cancellationToken);
    }

    /// <summary>Reads the records whose timestamp is in [<paramref name="from"/>, <paramref name="to"/>), oldest first, one at a time.</summary>
    /// <param name="from">The start of the range (inclusive).</param>
    /// <param name="to">The end of the range (exclusive).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The records, parsed from their stored JSON.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public async IAsyncEnumerable<CostRecord> ReadRecordsAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var connection = OpenForRead();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT record_json FROM cost_records WHERE timestamp_ms >= $from AND timestamp_ms < $to ORDER BY timestamp_ms, id;";
        command.Parameters.AddWithValue("$from", StoreQueries.ToUnixMs(from));
        command.Parameters.AddWithValue("$to", StoreQueries.ToUnixMs(to));
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return CostRecord.FromJson(reader.GetString(0));
        }
    }

    private async IAsyncEnumerable<CostAggregate> AggregateCoreAsync(CostAggregateQuery query, string[] statements, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var connection = OpenForRead();
        using var transaction = statements.Length > 1 ? connection.BeginTransaction(deferred: true) : null;
        for (var set = 0; set < statements.Length; set++)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statements[set];
            command.Parameters.AddWithValue("$from", StoreQueries.ToUnixMs(query.From));
            command.Parameters.AddWithValue("$to", StoreQueries.ToUnixMs(query.To));
            command.Parameters.AddWithValue("$bucket", (long)query.BucketSize.TotalMilliseconds);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var dimensions = query.EffectiveGroupingSets[set].Count;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var keys = new string?[dimensions];
                for (var i = 0; i < dimensions; i++)
                {
                    keys[i] = reader.IsDBNull(1 + i) ? null : reader.GetString(1 + i);
                }

                var c = 1 + dimensions;
                yield return new CostAggregate
                {
                    BucketStart = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
                    Keys = keys,
                    GroupingSet = set,
                    Calls = reader.GetInt64(c),
                    UnpricedCalls = reader.GetInt64(c + 1),
                    InputTokens = reader.GetInt64(c + 2),
                    CachedInputTokens = reader.GetInt64(c + 3),
                    OutputTokens = reader.GetInt64(c + 4),
                    Cost = ExactCost.Join(reader.GetInt64(c + 5), reader.GetInt64(c + 6)),
                };
            }
        }
    }

    /// <summary>The aggregate: a floor to the bucket (also before 1970), the group's columns, and integer sums only.</summary>
    internal static string BuildAggregateSql(IReadOnlyList<CostDimension> groupBy)
    {
        var sql = new StringBuilder("SELECT timestamp_ms - ((timestamp_ms % $bucket) + $bucket) % $bucket AS bucket");
        foreach (var dimension in groupBy)
        {
            sql.Append(", ").Append(Column(dimension));
        }

        sql.Append("""
            , count(*), count(*) - count(cost_nanos), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens),
            coalesce(sum(cost_nanos), 0), coalesce(sum(cost_attos), 0)
            FROM cost_records INDEXED BY ix_cost_records_aggregate
            WHERE timestamp_ms >= $from AND timestamp_ms < $to
            GROUP BY 1
            """);
        for (var i = 0; i < groupBy.Count; i++)
        {
            sql.Append(", ").Append(i + 2);
        }

        return sql.Append(';').ToString();
    }

    private static string Column(CostDimension dimension) => dimension switch
    {
        CostDimension.Provider => "provider",
        CostDimension.Model => "coalesce(model, request_model)",
        CostDimension.Feature => "feature",
        CostDimension.Team => "team",
        CostDimension.Customer => "customer",
        CostDimension.Environment => "environment",
        _ => throw new ArgumentException($"Unknown dimension {dimension}.", nameof(dimension)),
    };

    private SqliteConnection OpenForRead()
    {
        if (!File.Exists(Path))
        {
            throw new FileNotFoundException($"The LlmCost SQLite store '{Path}' does not exist.", Path);
        }

        var connection = SqliteSchema.Open(Path, SqliteOpenMode.ReadWrite);
        try
        {
            var version = SqliteSchema.ReadVersion(connection);
            if (version == 0)
            {
                throw new InvalidOperationException($"'{Path}' is not an LlmCost SQLite store (it has no cost_records schema).");
            }

            SqliteSchema.ThrowIfNewer(version, Path);
            if (version < SqliteSchema.CurrentVersion)
            {
                SqliteSchema.Migrate(connection, Path, NullLogger.Instance);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
