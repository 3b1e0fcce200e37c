using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace LlmCost.Sdk;

/// <summary>
/// A sink that writes cost records to PostgreSQL: the store for many instances writing one table, read back by
/// <see cref="PostgreSqlCostRecordStore"/>.
/// </summary>
/// <remarks>
/// <para>
/// Each batch is one transaction: a binary <c>COPY</c> straight into <c>cost_records</c> behind a savepoint; if an id of
/// the batch is already stored (a batch retried after a failure, or written twice by anything else), the primary key
/// stops that COPY, the savepoint undoes it, and the batch is copied into a session-local (temporary, so unlogged)
/// staging table and moved with <c>INSERT ... SELECT ... ON CONFLICT DO NOTHING</c>: a record is never duplicated — the
/// record id is the primary key (with the timestamp, when the table is partitioned by day). The table's triggers add the
/// rows actually inserted to <c>cost_rollups</c> in the same transaction. The schema is created or migrated before the first batch unless
/// <see cref="PostgreSqlCostSinkOptions.MigrateSchema"/> is off. Tables are unqualified: choose the schema with
/// <c>Search Path</c> in the connection string.
/// </para>
/// <para>
/// Every field is stored: the queried ones as columns (cost as exact <c>numeric</c>), and the whole record as its JSON
/// (<see cref="CostRecord.ToJson"/>) in <c>record</c>. The sink keeps one connection open between batches; a failed
/// write throws (the pipeline retries it) and the connection is reopened for the next one.
/// </para>
/// </remarks>
public sealed class PostgreSqlCostSink : ICostSink, IAsyncDisposable, IDisposable
{
    private const string Columns = """
        id, "timestamp", provider, operation, model, request_model, service_tier, region, streaming, status_code, error_type,
        duration_ms, feature, team, customer, environment, input_tokens, cached_input_tokens, cache_write_input_tokens,
        cache_write_1h_input_tokens, output_tokens, reasoning_tokens, web_search_requests, usage_source, cost_total,
        price_table_version, price_entry, price_effective_from, record
        """;

    private const string CreateStagingSql =
        "CREATE TEMP TABLE IF NOT EXISTS cost_records_staging (LIKE cost_records) ON COMMIT DELETE ROWS;";

    private const string CopySql = "COPY cost_records_staging (" + Columns + ") FROM STDIN (FORMAT BINARY)";

    private const string CopyDirectSql = "COPY cost_records (" + Columns + ") FROM STDIN (FORMAT BINARY)";

    private const string FastPathSavepoint = "llmcost_copy";

    private const string UpsertSql =
        "INSERT INTO cost_records (" + Columns + ") SELECT " + Columns + " FROM cost_records_staging ON CONFLICT DO NOTHING;";

    private readonly string _connectionString;
    private readonly PostgreSqlCostSinkOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _connection;
    private bool _schemaReady;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlCostSink"/> class with the default options.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    public PostgreSqlCostSink(string connectionString)
        : this(connectionString, new PostgreSqlCostSinkOptions(), NullLoggerFactory.Instance)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlCostSink"/> class.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="options">The options.</param>
    /// <param name="loggerFactory">Creates the logger for schema migrations and failed writes.</param>
    public PostgreSqlCostSink(string connectionString, PostgreSqlCostSinkOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // a malformed connection string fails here, at start-up
        _connectionString = connectionString;
        _options = new PostgreSqlCostSinkOptions { MigrateSchema = options.MigrateSchema };
        _logger = loggerFactory.CreateLogger<PostgreSqlCostSink>();
    }

    /// <inheritdoc />
    public async Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                await WriteBatchAsync(records, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Log.PostgreSqlWriteFailed(_logger, records.Count, ex);
                await ResetAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the connection.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            await ResetAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            _connection?.Dispose();
            _connection = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WriteBatchAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        var connection = await EnsureOpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Fast path: a batch of new ids (the usual case) is copied straight into the table, behind a savepoint. If any id
        // is there already (a retried batch, a second writer with the same records), the primary key stops the COPY, the
        // savepoint undoes it, and the batch goes through staging and ON CONFLICT DO NOTHING, which skips what exists.
        await transaction.SaveAsync(FastPathSavepoint, cancellationToken).ConfigureAwait(false);
        try
        {
            await CopyAsync(connection, CopyDirectSql, records, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            Log.PostgreSqlBatchHadStoredIds(_logger, records.Count);
            await transaction.RollbackAsync(FastPathSavepoint, cancellationToken).ConfigureAwait(false);
            await CopyAsync(connection, CopySql, records, cancellationToken).ConfigureAwait(false);
            using var upsert = new NpgsqlCommand(UpsertSql, connection, transaction);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string copySql, IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        var importer = await connection.BeginBinaryImportAsync(copySql, cancellationToken).ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            // The synchronous writes fill the importer's buffer (a full buffer is sent on this background task, never
            // an app thread): a per-value async call costs more CPU than the row itself.
            foreach (var record in records)
            {
                cancellationToken.ThrowIfCancellationRequested();
                WriteRow(importer, record);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<NpgsqlConnection> EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } open)
        {
            return open;
        }

        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!_schemaReady && _options.MigrateSchema)
            {
                await PostgreSqlSchema.MigrateAsync(connection, _logger, cancellationToken).ConfigureAwait(false);
            }

            _schemaReady = true;
            using (var staging = new NpgsqlCommand(CreateStagingSql, connection))
            {
                await staging.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            _connection = connection;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task ResetAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static void WriteRow(NpgsqlBinaryImporter w, CostRecord record)
    {
        var usage = record.Usage;
        var tags = record.Tags;
        var cost = record.Cost;
        var price = record.Price;
        w.StartRow();
        w.Write(record.Id, NpgsqlDbType.Uuid);
        w.Write(record.Timestamp.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        w.Write(record.Provider, NpgsqlDbType.Text);
        w.Write(record.Operation, NpgsqlDbType.Text);
        WriteText(w, record.Model);
        WriteText(w, record.RequestModel);
        WriteText(w, record.ServiceTier);
        WriteText(w, record.Region);
        w.Write(record.Streaming, NpgsqlDbType.Boolean);
        if (record.StatusCode is { } status)
        {
            w.Write(status, NpgsqlDbType.Integer);
        }
        else
        {
            w.WriteNull();
        }

        WriteText(w, record.ErrorType);
        w.Write(record.DurationMs, NpgsqlDbType.Double);
        WriteText(w, tags.Feature);
        WriteText(w, tags.Team);
        WriteText(w, tags.Customer);
        WriteText(w, tags.Environment);
        w.Write(usage.InputTokens, NpgsqlDbType.Bigint);
        w.Write(usage.CachedInputTokens, NpgsqlDbType.Bigint);
        w.Write(usage.CacheWriteInputTokens, NpgsqlDbType.Bigint);
        w.Write(usage.CacheWrite1hInputTokens, NpgsqlDbType.Bigint);
        w.Write(usage.OutputTokens, NpgsqlDbType.Bigint);
        w.Write(usage.ReasoningTokens, NpgsqlDbType.Bigint);
        w.Write(usage.WebSearchRequests, NpgsqlDbType.Bigint);
        w.Write(UsageSourceName(usage.Source), NpgsqlDbType.Text);
        if (cost is null)
        {
            w.WriteNull();
        }
        else
        {
            w.Write(cost.Total, NpgsqlDbType.Numeric);
        }

        if (price is null)
        {
            w.WriteNull();
            w.WriteNull();
            w.WriteNull();
        }
        else
        {
            w.Write(price.TableVersion, NpgsqlDbType.Text);
            w.Write(price.Entry, NpgsqlDbType.Text);
            w.Write(price.EffectiveFrom, NpgsqlDbType.Date);
        }

        w.Write(record.ToJson(), NpgsqlDbType.Json);
    }

    private static void WriteText(NpgsqlBinaryImporter w, string? value)
    {
        if (value is null)
        {
            w.WriteNull();
        }
        else
        {
            w.Write(value, NpgsqlDbType.Text);
        }
    }

    private static string UsageSourceName(UsageSource source) => source switch
    {
        UsageSource.Provider => "provider",
        UsageSource.Estimated => "estimated",
        _ => "none",
    };
}
