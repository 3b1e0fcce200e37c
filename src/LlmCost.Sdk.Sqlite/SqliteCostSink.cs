using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SQLitePCL;

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
    private sqlite3_stmt? _insert;
    private int[] _parameterIndexes = [];
    private readonly System.Buffers.ArrayBufferWriter<byte> _json = new(4096); // a record's JSON, reused record after record
    private byte[] _utf8 = new byte[4096]; // UTF-8 of the value being bound (SQLite copies it): grown for long JSON, then reused
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
                var db = _connection!.Handle!;
                using var transaction = _connection.BeginTransaction(deferred: false);
                foreach (var record in records)
                {
                    Bind(insert, record);
                    var rc = raw.sqlite3_step(insert);
                    raw.sqlite3_reset(insert);
                    if (rc != raw.SQLITE_DONE)
                    {
                        SqliteException.ThrowExceptionForRC(rc, db);
                    }
                }

                transaction.Commit();
            }
            catch (Exception ex)
            {
                Log.SqliteWriteFailed(_logger, records.Count, Path, ex);
                Reset();
                throw;
            }
        }
    }

    private sqlite3_stmt EnsureOpen()
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

        // The insert is prepared once per connection on SQLite's own handle and its values bound by position: binding
        // through SqliteCommand looked each of the 31 parameters up by name and converted every string on each
        // execution: about a third of the sink's CPU per record (25 µs before, 16.4 µs after; benchmarks/README.md).
        var db = _connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(db, InsertSql, out var insert);
        if (rc != raw.SQLITE_OK)
        {
            insert?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        var prepared = insert ?? throw new InvalidOperationException("SQLite prepared no statement for the insert.");
        _parameterIndexes = [.. ParameterNames.Select(name => raw.sqlite3_bind_parameter_index(prepared, name))];
        _insert = prepared;
        return prepared;
    }

    private void Reset()
    {
        _insert?.Dispose(); // finalizes the statement before its connection closes
        _insert = null;
        _connection?.Dispose();
        _connection = null;
    }

    private void Bind(sqlite3_stmt stmt, CostRecord record)
    {
        var p = _parameterIndexes;
        var usage = record.Usage;
        var tags = record.Tags;
        var cost = record.Cost;
        var price = record.Price;
        BindId(stmt, p[0], record.Id);
        raw.sqlite3_bind_int64(stmt, p[1], record.Timestamp.ToUnixTimeMilliseconds());
        BindText(stmt, p[2], record.Provider);
        BindText(stmt, p[3], record.Operation);
        BindText(stmt, p[4], record.Model);
        BindText(stmt, p[5], record.RequestModel);
        BindText(stmt, p[6], record.ServiceTier);
        BindText(stmt, p[7], record.Region);
        raw.sqlite3_bind_int64(stmt, p[8], record.Streaming ? 1L : 0L);
        if (record.StatusCode is { } status)
        {
            raw.sqlite3_bind_int64(stmt, p[9], status);
        }
        else
        {
            raw.sqlite3_bind_null(stmt, p[9]);
        }

        BindText(stmt, p[10], record.ErrorType);
        raw.sqlite3_bind_double(stmt, p[11], record.DurationMs);
        BindText(stmt, p[12], tags.Feature);
        BindText(stmt, p[13], tags.Team);
        BindText(stmt, p[14], tags.Customer);
        BindText(stmt, p[15], tags.Environment);
        raw.sqlite3_bind_int64(stmt, p[16], usage.InputTokens);
        raw.sqlite3_bind_int64(stmt, p[17], usage.CachedInputTokens);
        raw.sqlite3_bind_int64(stmt, p[18], usage.CacheWriteInputTokens);
        raw.sqlite3_bind_int64(stmt, p[19], usage.CacheWrite1hInputTokens);
        raw.sqlite3_bind_int64(stmt, p[20], usage.OutputTokens);
        raw.sqlite3_bind_int64(stmt, p[21], usage.ReasoningTokens);
        raw.sqlite3_bind_int64(stmt, p[22], usage.WebSearchRequests);
        BindText(stmt, p[23], UsageSourceName(usage.Source));
        if (cost is null)
        {
            raw.sqlite3_bind_null(stmt, p[24]);
            raw.sqlite3_bind_null(stmt, p[25]);
            raw.sqlite3_bind_null(stmt, p[26]);
        }
        else
        {
            var (nanos, attos) = ExactCost.Split(cost.Total);
            BindFormatted(stmt, p[24], cost.Total, null);
            raw.sqlite3_bind_int64(stmt, p[25], nanos);
            raw.sqlite3_bind_int64(stmt, p[26], attos);
        }

        BindText(stmt, p[27], price?.TableVersion);
        BindText(stmt, p[28], price?.Entry);
        if (price is null)
        {
            raw.sqlite3_bind_null(stmt, p[29]);
        }
        else
        {
            BindFormatted(stmt, p[29], price.EffectiveFrom, "yyyy-MM-dd");
        }

        _json.ResetWrittenCount();
        record.WriteJson(_json); // UTF-8 from the core's writer: no string between, SQLite copies the bytes
        raw.sqlite3_bind_text(stmt, p[30], _json.WrittenSpan);
    }

    private static void BindId(sqlite3_stmt stmt, int index, Guid id)
    {
        Span<byte> text = stackalloc byte[36];
        id.TryFormat(text, out var written, "D");
        raw.sqlite3_bind_text(stmt, index, text[..written]);
    }

    private static void BindFormatted<T>(sqlite3_stmt stmt, int index, T value, string? format)
        where T : IUtf8SpanFormattable
    {
        Span<byte> text = stackalloc byte[64];
        if (!value.TryFormat(text, out var written, format, CultureInfo.InvariantCulture))
        {
            throw new FormatException($"A value of {typeof(T).Name} does not fit the sink's 64-byte buffer.");
        }

        raw.sqlite3_bind_text(stmt, index, text[..written]);
    }

    private void BindText(sqlite3_stmt stmt, int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(stmt, index);
            return;
        }

        if (value.Length == 0)
        {
            raw.sqlite3_bind_text(stmt, index, string.Empty); // an empty span would bind NULL (its pointer is null)
            return;
        }

        var needed = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (needed > _utf8.Length)
        {
            _utf8 = new byte[Math.Max(needed, _utf8.Length * 2)];
        }

        var length = Encoding.UTF8.GetBytes(value, _utf8);
        raw.sqlite3_bind_text(stmt, index, _utf8.AsSpan(0, length));
    }

    internal static string UsageSourceName(UsageSource source) => source switch
    {
        UsageSource.Provider => "provider",
        UsageSource.Estimated => "estimated",
        _ => "none",
    };
}
