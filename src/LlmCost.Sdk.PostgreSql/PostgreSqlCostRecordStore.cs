using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;

namespace LlmCost.Sdk;

/// <summary>
/// Reads the PostgreSQL table written by <see cref="PostgreSqlCostSink"/>: sums per time bucket and group for reports
/// (<see cref="ICostRecordQuery"/>), and the records themselves.
/// </summary>
/// <remarks>
/// The sums are computed by PostgreSQL (<c>GROUP BY date_bin(...)</c> and the dimensions, an index-only scan of
/// <c>ix_cost_records_aggregate</c> for the range), so memory does not grow with the number of records; costs are summed
/// as <c>numeric</c>, exactly. The query runs in a read-only transaction with <c>work_mem</c> raised to 64 MB for it alone. Each
/// call opens its own pooled connection: the store is thread-safe. Tables are unqualified: choose the schema with
/// <c>Search Path</c> in the connection string.
/// </remarks>
public sealed class PostgreSqlCostRecordStore : ICostRecordQuery
{
    private readonly string _connectionString;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlCostRecordStore"/> class. Nothing is opened until a query runs.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    public PostgreSqlCostRecordStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // a malformed connection string fails here
        _connectionString = connectionString;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The database has no LlmCost schema, or a newer package version wrote it.</exception>
    /// <exception cref="ArgumentException">The bucket size is not a positive whole multiple of <see cref="CostAggregateQuery.DefaultBucketSize"/>, or <see cref="CostAggregateQuery.GroupBy"/> is null or names an unknown dimension.</exception>
    public IAsyncEnumerable<CostAggregate> AggregateAsync(CostAggregateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = BuildAggregateSql(query.GroupBy); // an unknown dimension fails here, not in the enumeration
        return AggregateCoreAsync(query, sql, cancellationToken);
    }

    /// <summary>Reads the records whose timestamp is in [<paramref name="from"/>, <paramref name="to"/>), oldest first, one at a time.</summary>
    /// <param name="from">The start of the range (inclusive).</param>
    /// <param name="to">The end of the range (exclusive).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The records, parsed from their stored JSON.</returns>
    public async IAsyncEnumerable<CostRecord> ReadRecordsAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = new NpgsqlCommand(
                "SELECT record::text FROM cost_records WHERE \"timestamp\" >= @from AND \"timestamp\" < @to ORDER BY \"timestamp\", id;",
                connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("from", from.ToUniversalTime());
                command.Parameters.AddWithValue("to", to.ToUniversalTime());
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield return CostRecord.FromJson(reader.GetString(0));
                    }
                }
            }
        }
    }

    private async IAsyncEnumerable<CostAggregate> AggregateCoreAsync(CostAggregateQuery query, string sql, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // A month of 15-minute buckets by a dimension is tens of thousands of groups: enough memory for the hash
            // aggregate to stay in memory (PostgreSQL's default 4 MB spills it to disk), for this transaction only.
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                using (var settings = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL work_mem = '64MB';", connection, transaction))
                {
                    await settings.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                var command = new NpgsqlCommand(sql, connection, transaction);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.AddWithValue("from", query.From.ToUniversalTime());
                    command.Parameters.AddWithValue("to", query.To.ToUniversalTime());
                    command.Parameters.AddWithValue("bucket", query.BucketSize);
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        var dimensions = query.GroupBy.Count;
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            yield return Read(reader, dimensions);
                        }
                    }
                }
            }
        }
    }

    private static CostAggregate Read(NpgsqlDataReader reader, int dimensions)
    {
        var keys = new string?[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            keys[i] = reader.IsDBNull(1 + i) ? null : reader.GetString(1 + i);
        }

        var c = 1 + dimensions;
        return new CostAggregate
        {
            BucketStart = reader.GetFieldValue<DateTimeOffset>(0),
            Keys = keys,
            Calls = reader.GetInt64(c),
            UnpricedCalls = reader.GetInt64(c + 1),
            InputTokens = reader.GetInt64(c + 2),
            CachedInputTokens = reader.GetInt64(c + 3),
            OutputTokens = reader.GetInt64(c + 4),
            Cost = reader.GetDecimal(c + 5),
        };
    }

    /// <summary>The aggregate: UTC buckets from the Unix epoch (<c>date_bin</c>), the group's columns, exact sums.</summary>
    internal static string BuildAggregateSql(IReadOnlyList<CostDimension> groupBy)
    {
        var sql = new StringBuilder("SELECT date_bin(@bucket, \"timestamp\", TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket");
        foreach (var dimension in groupBy)
        {
            sql.Append(", ").Append(Column(dimension));
        }

        sql.Append("""
            , count(*), count(*) - count(cost_total), sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint,
            sum(output_tokens)::bigint, coalesce(sum(cost_total), 0)
            FROM cost_records
            WHERE "timestamp" >= @from AND "timestamp" < @to
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

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var version = await PostgreSqlSchema.ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
            if (version == 0)
            {
                throw new InvalidOperationException(
                    $"The database '{connection.Database}' has no LlmCost schema (no llmcost_schema_version table in the search path). Write to it with AddPostgreSqlSink first.");
            }

            PostgreSqlSchema.ThrowIfNewer(version);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
