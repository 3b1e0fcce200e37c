using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmCost.Sdk;

/// <summary>
/// A sink that writes cost records to a SQLite file: the embedded default store for local and single-instance apps,
/// read back by <see cref="SqliteCostRecordStore"/>.
/// </summary>
/// <remarks>
/// <para>
/// The file and its schema are created (or migrated forward) on the first batch; the file is switched to WAL so readers
/// never block the writer. Each batch is one <c>BEGIN IMMEDIATE</c> transaction, and each record is inserted with
/// <c>INSERT OR IGNORE</c> on its id (the primary key): a batch the pipeline retries after a failure never duplicates a
/// record. Several processes may write the same file: a writer waits up to 30 seconds for another's transaction, and a
/// batch that still fails is retried by the pipeline.
/// </para>
/// <para>
/// Every field of the record is stored: the queried ones as columns, and the whole record as its JSON (<see cref="CostRecord.ToJson"/>)
/// in <c>record_json</c>. <c>cost_total</c> keeps the exact decimal as invariant text; <c>cost_nanos</c> and
/// <c>cost_attos</c> hold the same amount as two integers that SQLite sums exactly. Timestamps are Unix milliseconds
/// (the precision of the JSON record).
/// </para>
/// <para>
/// The SDK calls <see cref="WriteAsync"/> from one background task; calls are serialized if made concurrently. A failed
/// write throws (the pipeline retries it) and the connection is reopened for the next one.
/// </para>
/// </remarks>
public sealed class SqliteCostSink : ICostSink, IDisposable
{
    private const string InsertSql = """
        INSERT OR IGNORE INTO cost_records (
            id, timestamp_ms, provider, operation, model, request_model, service_tier, region, streaming, status_code,
            error_type, duration_ms, feature, team, customer, environment, input_tokens, cached_input_tokens,
            cache_write_input_tokens, cache_write_1h_input_tokens, output_tokens, reasoning_tokens, web_search_requests,
            usage_source, cost_total, cost_nanos, cost_attos, price_table_version, price_entry, price_effective_from, record_json)
        VALUES (
            $id, $timestamp_ms, $provider, $operation, $model, $request_model, $service_tier, $region, $streaming, $status_code,
            $error_type, $duration_ms, $feature, $team, $customer, $environment, $input_tokens, $cached_input_tokens,
            $cache_write_input_tokens, $cache_write_1h_input_tokens, $output_tokens, $reasoning_tokens, $web_search_requests,
            $usage_source, $cost_total, $cost_nanos, $cost_attos, $price_table_version, $price_entry, $price_effective_from, $record_json);
        """;

    private static readonly string[] ParameterNames =
    [
        "$id", "$timestamp_ms", "$provider", "$operation", "$model", "$request_model", "$service_tier", "$region", "$streaming",
        "$status_code", "$error_type", "$duration_ms", "$feature", "$team", "$customer", "$environment", "$input_tokens",
        "$cached_input_tokens", "$cache_write_input_tokens", "$cache_write_1h_input_tokens", "$output_tokens", "$reasoning_tokens",
        "$web_search_requests", "$usage_source", "$cost_total", "$cost_nanos", "$cost_attos", "$price_table_version",
        "$price_entry", "$price_effective_from", "$record_json",
    ];

    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private SqliteConnection? _connection;
    private SqliteCommand? _insert;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="SqliteCostSink"/> class.</summary>
    /// <param name="path">The database file; relative paths are relative to the current directory. Its folder is created when missing.</param>
    public SqliteCostSink(string path)
        : this(path, NullLoggerFactory.Instance)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SqliteCostSink"/> class.</summary>
    /// <param name="path">The database file; relative paths are relative to the current directory. Its folder is created when missing.</param>
    /// <param name="loggerFactory">Creates the logger for schema migrations and failed writes.</param>
    public SqliteCostSink(string path, ILoggerFactory loggerFactory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Path = System.IO.Path.GetFullPath(path);
        _logger = loggerFactory.CreateLogger<SqliteCostSink>();
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return Task.CompletedTask;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        try
        {
            // SQLite's API is synchronous; this runs on the sink's own background task, never on the app's call.
            Write(records);
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    /// <summary>Closes the connection. Later writes throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Reset();
        }
    }

    private void Write(IReadOnlyList<CostRecord> records)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                var insert = EnsureOpen();
                using var transaction = _connection!.BeginTransaction(deferred: false);
                insert.Transaction = transaction;
                var parameters = insert.Parameters;
                foreach (var record in records)
                {
                    Bind(parameters, record);
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
                insert.Transaction = null;
            }
            catch (Exception ex)
            {
                Log.SqliteWriteFailed(_logger, records.Count, Path, ex);
                Reset();
                throw;
            }
        }
    }

    private SqliteCommand EnsureOpen()
    {
        if (_insert is not null)
        {
            return _insert;
        }

        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connection = SqliteSchema.Open(Path, SqliteOpenMode.ReadWriteCreate);
        SqliteSchema.Migrate(_connection, Path, _logger);
        var insert = _connection.CreateCommand();
        insert.CommandText = InsertSql;
        foreach (var name in ParameterNames)
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        insert.Prepare();
        _insert = insert;
        return insert;
    }

    private void Reset()
    {
        _insert?.Dispose();
        _insert = null;
        _connection?.Dispose();
        _connection = null;
    }

    private static void Bind(SqliteParameterCollection p, CostRecord record)
    {
        var usage = record.Usage;
        var tags = record.Tags;
        var cost = record.Cost;
        var price = record.Price;
        p[0].Value = record.Id.ToString("D");
        p[1].Value = record.Timestamp.ToUnixTimeMilliseconds();
        p[2].Value = record.Provider;
        p[3].Value = record.Operation;
        p[4].Value = (object?)record.Model ?? DBNull.Value;
        p[5].Value = (object?)record.RequestModel ?? DBNull.Value;
        p[6].Value = (object?)record.ServiceTier ?? DBNull.Value;
        p[7].Value = (object?)record.Region ?? DBNull.Value;
        p[8].Value = record.Streaming ? 1L : 0L;
        p[9].Value = record.StatusCode is { } status ? status : DBNull.Value;
        p[10].Value = (object?)record.ErrorType ?? DBNull.Value;
        p[11].Value = record.DurationMs;
        p[12].Value = (object?)tags.Feature ?? DBNull.Value;
        p[13].Value = (object?)tags.Team ?? DBNull.Value;
        p[14].Value = (object?)tags.Customer ?? DBNull.Value;
        p[15].Value = (object?)tags.Environment ?? DBNull.Value;
        p[16].Value = usage.InputTokens;
        p[17].Value = usage.CachedInputTokens;
        p[18].Value = usage.CacheWriteInputTokens;
        p[19].Value = usage.CacheWrite1hInputTokens;
        p[20].Value = usage.OutputTokens;
        p[21].Value = usage.ReasoningTokens;
        p[22].Value = usage.WebSearchRequests;
        p[23].Value = UsageSourceName(usage.Source);
        if (cost is null)
        {
            p[24].Value = DBNull.Value;
            p[25].Value = DBNull.Value;
            p[26].Value = DBNull.Value;
        }
        else
        {
            var (nanos, attos) = ExactCost.Split(cost.Total);
            p[24].Value = cost.Total.ToString(CultureInfo.InvariantCulture);
            p[25].Value = nanos;
            p[26].Value = attos;
        }

        p[27].Value = (object?)price?.TableVersion ?? DBNull.Value;
        p[28].Value = (object?)price?.Entry ?? DBNull.Value;
        p[29].Value = price is null ? DBNull.Value : price.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        p[30].Value = record.ToJson();
    }

    internal static string UsageSourceName(UsageSource source) => source switch
    {
        UsageSource.Provider => "provider",
        UsageSource.Estimated => "estimated",
        _ => "none",
    };
}
