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
/// A batch is split into up to <see cref="PostgreSqlCostSinkOptions.Connections"/> contiguous parts, each on its own
/// connection and in its own transaction, pipelined: the server's insert of a part's rows, its rollup and its commit run
/// while the next part is encoded and sent on the next connection. <see cref="WriteAsync"/> completes only when every part is committed; if one fails it
/// throws and the pipeline retries the whole batch, whose parts already committed are then skipped by id.
/// </para>
/// <para>
/// Each part is one transaction: a binary <c>COPY</c> straight into <c>cost_records</c>, which inserts every row of the
/// part or fails; then the part's sums per 15-minute bucket and group, aggregated here, are added to
/// <c>cost_rollups</c>; then the commit. If an id of the part
/// is already stored (a retried batch, or written twice by anything else), the primary key stops that COPY, the
/// transaction is rolled back, and the part is copied into a session-local (temporary, so unlogged) staging table and
/// moved with <c>INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING</c>, whose rows — only those actually inserted —
/// are summed into the rollup by the same statement: a record is never duplicated or counted twice — the record id is
/// the primary key (with the timestamp, when the table is partitioned by day). With
/// <see cref="PostgreSqlCostSinkOptions.Rollup"/> off the rollup is not written and is marked incomplete, so the store
/// reads the records. The schema is created or migrated before the first batch unless
/// <see cref="PostgreSqlCostSinkOptions.MigrateSchema"/> is off. Tables are unqualified: choose the schema with
/// <c>Search Path</c> in the connection string.
/// </para>
/// <para>
/// Every field is stored, once (schema version 5): as columns (cost as exact <c>numeric</c>), and what no column holds
/// (custom tags, the cost's parts, the rarer token counts) as a small JSON text in <c>extra</c>, <c>NULL</c> when there is
/// none (query a custom tag with <c>extra::json-&gt;'tags'-&gt;&gt;'experiment'</c>);
/// <see cref="PostgreSqlCostRecordStore.ReadRecordsAsync"/> rebuilds the records. Before version 5 the whole record's JSON
/// was stored in <c>record</c> as well; on a store a DBA has not migrated yet the sink still writes it. From version 5 the
/// rollup is appended (a <c>COPY</c> of the part's sums) rather than upserted, and compacted by
/// <c>llmcost_compact_rollups</c> when its keys repeat, in the background on a pooled connection of its own (the next
/// batch does not wait for it; disposing the sink waits for it). From version 6 the rollup keeps the customer apart
/// from the other five dimensions (<c>cost_rollups.grain</c>). The sink keeps its connections open between batches; a failed
/// write throws (the pipeline retries it) and the connection that failed is reopened for the next one.
/// </para>
/// </remarks>
public sealed class PostgreSqlCostSink : ICostSink, IAsyncDisposable, IDisposable
{
    /// <summary>A batch is split only into parts of at least this many records (a round trip per part must pay off).</summary>
    internal const int MinimumRecordsPerPart = 64;

    private const string CommonColumns = """
        id, "timestamp", provider, operation, model, request_model, service_tier, region, streaming, status_code, error_type,
        duration_ms, feature, team, customer, environment, input_tokens, cached_input_tokens, cache_write_input_tokens,
        cache_write_1h_input_tokens, output_tokens, reasoning_tokens, web_search_requests, usage_source, cost_total,
        price_table_version, price_entry, price_effective_from
        """;

    private const string CreateStagingSql =
        "CREATE TEMP TABLE IF NOT EXISTS cost_records_staging (LIKE cost_records) ON COMMIT DELETE ROWS;";

    private readonly string _connectionString;
    private readonly PostgreSqlCostSinkOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Writer[] _writers;
    private readonly RollupCompactor _compactor;
    private volatile bool _schemaReady;
    private int _sparseReported;
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
    /// <exception cref="ArgumentException">The connection string is empty or malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PostgreSqlCostSinkOptions.Connections"/> is out of its range.</exception>
    public PostgreSqlCostSink(string connectionString, PostgreSqlCostSinkOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // a malformed connection string fails here, at start-up
        options.Validate();
        _connectionString = connectionString;
        _options = new PostgreSqlCostSinkOptions { MigrateSchema = options.MigrateSchema, Rollup = options.Rollup, Connections = options.Connections };
        _logger = loggerFactory.CreateLogger<PostgreSqlCostSink>();
        if (!_options.Rollup)
        {
            Log.PostgreSqlRollupOff(_logger);
        }

        _compactor = new RollupCompactor(connectionString, _logger);
        _writers = new Writer[_options.Connections];
        for (var i = 0; i < _writers.Length; i++)
        {
            _writers[i] = new Writer();
        }
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
            var parts = PartCount(records.Count, _writers.Length);
            if (parts == 1)
            {
                await (await BeginPartAsync(_writers[0], records, 0, records.Count, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            }

            // The parts are pipelined: each part's rows are encoded and sent on its own connection and its COPY is ended
            // without waiting; the server's insert of those rows, the part's rollup and its commit (a WAL flush, mostly
            // waiting for the disk) run while the next part is encoded and sent on the next connection. Every part is
            // attempted and ends, committed or failed, before the batch is acknowledged or fails (with the first failed
            // part's exception).
            var finishing = new Task[parts];
            for (var part = 0; part < parts; part++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    finishing[part] = Task.FromCanceled(cancellationToken); // the parts begun still end before this throws
                    continue;
                }

                var (offset, count) = PartRange(records.Count, parts, part);
                try
                {
                    finishing[part] = await BeginPartAsync(_writers[part], records, offset, count, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    finishing[part] = Task.FromException(ex);
                }
            }

            await Task.WhenAll(finishing).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the connections.</summary>
    /// <returns>A task that completes when the connections are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            foreach (var writer in _writers)
            {
                await ResetAsync(writer).ConfigureAwait(false);
            }

            await _compactor.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            foreach (var writer in _writers)
            {
                writer.Connection?.Dispose();
                writer.Connection = null;
            }

            _compactor.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How many parts a batch is split into: at most one per connection, each of at least <see cref="MinimumRecordsPerPart"/> records.</summary>
    internal static int PartCount(int records, int connections) => Math.Clamp(records / MinimumRecordsPerPart, 1, connections);

    /// <summary>The contiguous range of part <paramref name="part"/> of <paramref name="parts"/> (sizes differ by one at most).</summary>
    internal static (int Offset, int Count) PartRange(int records, int parts, int part)
    {
        var size = records / parts;
        var extra = records % parts;
        var offset = (part * size) + Math.Min(part, extra);
        return (offset, size + (part < extra ? 1 : 0));
    }

    /// <summary>
    /// Sends a part's rows: in the usual case (every id new) they are copied straight into the table, and the returned
    /// task waits for the server to insert them, adds the rollup and commits — so the caller encodes and sends the next
    /// part on another connection while the server inserts and commits this one (PostgreSQL inserts a binary COPY's
    /// rows of up to 1,000 only when their COPY ends). A part with an id stored already goes through staging in that
    /// task; a part whose sums a decimal cannot hold goes through staging before this returns.
    /// </summary>
    private async Task<Task> BeginPartAsync(Writer writer, IReadOnlyList<CostRecord> records, int offset, int count, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await EnsureOpenAsync(writer, cancellationToken).ConfigureAwait(false);
            var clientRollup = writer.Version >= PostgreSqlSchema.ClientRollupVersion && _options.Rollup;
            var markIncomplete = writer.Version >= PostgreSqlSchema.ClientRollupVersion && !_options.Rollup;

            // Fast path: a part of new ids (the usual case) is copied straight into the table: the COPY inserts every row or
            // fails, so the rollup is the sums of all the part's rows. If any id is there already (a retried batch, a second
            // writer with the same records), the primary key stops the COPY and the transaction is rolled back. (Sums a
            // decimal cannot hold exactly — never a real bill — take the slow path, whose sums PostgreSQL computes.)
            var groups = clientRollup ? RollupDelta.Aggregate(records, offset, count, grains: writer.Version >= PostgreSqlSchema.GrainVersion) : null;
            if (!clientRollup || groups is not null)
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                Task copied;
                try
                {
                    copied = await SendCopyAsync(connection, writer.Layout.CopyDirectSql, writer.Layout.Extra, records, offset, count, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await transaction.DisposeAsync().ConfigureAwait(false);
                    throw;
                }

                return FinishPartAsync(new Part(writer, connection, records, offset, count, clientRollup, markIncomplete), transaction, copied, groups, cancellationToken);
            }

            await WriteThroughStagingAsync(connection, writer.Layout, records, offset, count, clientRollup, markIncomplete, cancellationToken).ConfigureAwait(false);
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            Log.PostgreSqlWriteFailed(_logger, count, ex);
            await ResetAsync(writer).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Ends a part sent by the fast path: waits for its COPY to end, adds its sums to the rollup (or marks the rollup
    /// incomplete) and commits; when an id of the part was stored already, rolls back and writes the part through staging.
    /// </summary>
    private async Task FinishPartAsync(Part part, NpgsqlTransaction transaction, Task copied, Dictionary<RollupKey, RollupSums>? groups, CancellationToken cancellationToken)
    {
        try
        {
            await using (transaction.ConfigureAwait(false))
            {
                var stored = false;
                try
                {
                    await copied.ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    stored = true;
                }

                if (!stored)
                {
                    if (groups is not null)
                    {
                        await AddRollupAsync(part.Connection, transaction, part.Writer, groups, cancellationToken).ConfigureAwait(false);
                    }
                    else if (part.MarkIncomplete)
                    {
                        using var mark = new NpgsqlCommand(PostgreSqlSchema.MarkRollupIncomplete, part.Connection, transaction);
                        await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    if (groups is not null && part.Writer.Layout.Extra)
                    {
                        if (part.Writer.Appended.Add(groups.Keys, part.Count) is { } buckets)
                        {
                            _compactor.Request(buckets); // in the background: the next batch does not wait for it
                        }

                        if (part.Writer.Appended.Sparse is { } sparse && Interlocked.Exchange(ref _sparseReported, 1) == 0)
                        {
                            Log.PostgreSqlRollupSparse(_logger, sparse.Records, sparse.Groups);
                        }
                    }

                    return;
                }

                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
            }

            Log.PostgreSqlBatchHadStoredIds(_logger, part.Count);
            await WriteThroughStagingAsync(part.Connection, part.Writer.Layout, part.Records, part.Offset, part.Count, part.ClientRollup, part.MarkIncomplete, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.PostgreSqlWriteFailed(_logger, part.Count, ex);
            await ResetAsync(part.Writer).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The slow path: staging and <c>ON CONFLICT DO NOTHING</c>, which skips the ids stored; only the rows it inserts
    /// (<c>RETURNING</c>) are added to the rollup, in the same statement.
    /// </summary>
    private static async Task WriteThroughStagingAsync(NpgsqlConnection connection, Layout layout, IReadOnlyList<CostRecord> records, int offset, int count, bool clientRollup, bool markIncomplete, CancellationToken cancellationToken)
    {
        var retry = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (retry.ConfigureAwait(false))
        {
            await (await SendCopyAsync(connection, layout.CopySql, layout.Extra, records, offset, count, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            var sql = clientRollup ? layout.UpsertWithRollupSql : layout.UpsertSql;
            using var upsert = new NpgsqlCommand(markIncomplete ? sql + PostgreSqlSchema.MarkRollupIncomplete : sql, connection, retry);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await retry.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds the part's sums per 15-minute bucket and group (the rollup's key) to <c>cost_rollups</c>, in one statement:
    /// from schema version 5 appended by a binary <c>COPY</c> (the cheapest insert PostgreSQL has: no statement to plan,
    /// no arrays to decode, rows inserted in multi-row batches); before, upserted from arrays.
    /// </summary>
    private static async Task AddRollupAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Writer writer, Dictionary<RollupKey, RollupSums> groups, CancellationToken cancellationToken)
    {
        if (writer.Layout.Extra)
        {
            await AppendRollupAsync(connection, groups, grain: writer.Version >= PostgreSqlSchema.GrainVersion, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var command = new NpgsqlCommand(PostgreSqlSchema.RollupFromClient, connection, transaction);
        var n = groups.Count;
        var bucket = new DateTime[n];
        var provider = new string[n];
        var model = new string?[n];
        var feature = new string?[n];
        var team = new string?[n];
        var customer = new string?[n];
        var environment = new string?[n];
        var calls = new long[n];
        var unpriced = new long[n];
        var input = new long[n];
        var cached = new long[n];
        var output = new long[n];
        var cost = new decimal[n];
        var i = 0;
        foreach (var (key, sums) in groups)
        {
            bucket[i] = key.Bucket;
            provider[i] = key.Provider!; // grain 0: every row has its provider
            model[i] = key.Model;
            feature[i] = key.Feature;
            team[i] = key.Team;
            customer[i] = key.Customer;
            environment[i] = key.Environment;
            calls[i] = sums.Calls;
            unpriced[i] = sums.UnpricedCalls;
            input[i] = sums.InputTokens;
            cached[i] = sums.CachedInputTokens;
            output[i] = sums.OutputTokens;
            cost[i] = sums.Cost;
            i++;
        }

        var p = command.Parameters;
        p.Add(new NpgsqlParameter<DateTime[]>("bucket", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = bucket });
        p.Add(new NpgsqlParameter<string[]>("provider", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = provider });
        p.Add(new NpgsqlParameter<string?[]>("model", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = model });
        p.Add(new NpgsqlParameter<string?[]>("feature", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = feature });
        p.Add(new NpgsqlParameter<string?[]>("team", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = team });
        p.Add(new NpgsqlParameter<string?[]>("customer", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = customer });
        p.Add(new NpgsqlParameter<string?[]>("environment", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = environment });
        p.Add(new NpgsqlParameter<long[]>("calls", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = calls });
        p.Add(new NpgsqlParameter<long[]>("unpriced", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = unpriced });
        p.Add(new NpgsqlParameter<long[]>("input", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = input });
        p.Add(new NpgsqlParameter<long[]>("cached", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = cached });
        p.Add(new NpgsqlParameter<long[]>("output", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = output });
        p.Add(new NpgsqlParameter<decimal[]>("cost", NpgsqlDbType.Array | NpgsqlDbType.Numeric) { TypedValue = cost });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends the part's rollup rows to <c>cost_rollups</c> by one binary COPY, in the part's transaction; with their
    /// grain from schema version 6.
    /// </summary>
    private static async Task AppendRollupAsync(NpgsqlConnection connection, Dictionary<RollupKey, RollupSums> groups, bool grain, CancellationToken cancellationToken)
    {
        var rows = groups.ToArray();
        var copySql = grain ? PostgreSqlSchema.RollupGrainAppendCopy : PostgreSqlSchema.RollupAppendCopy;
        var copied = await CopyAsync(connection, copySql, rows.Length, (rows, grain), static (writer, part, i) => writer.WriteRollupRow(part.rows[i].Key, part.rows[i].Value, part.grain), cancellationToken).ConfigureAwait(false);
        await copied.ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a part's rows as one binary COPY and ends it; the returned task completes when the server has inserted them
    /// (and throws its error, such as a stored id). The server parses the rows as they arrive but inserts them only when
    /// the COPY ends (it buffers up to 1,000 rows of a binary COPY), so the caller may encode the next part meanwhile.
    /// </summary>
    private static Task<Task> SendCopyAsync(NpgsqlConnection connection, string copySql, bool extra, IReadOnlyList<CostRecord> records, int offset, int count, CancellationToken cancellationToken) =>
        CopyAsync(connection, copySql, count, (Records: records, Offset: offset, Extra: extra), static (writer, part, i) => writer.WriteRow(part.Records[part.Offset + i], part.Extra), cancellationToken);

    /// <summary>
    /// Sends <paramref name="count"/> rows (<paramref name="writeRow"/> encodes the i-th) as one binary COPY and ends it;
    /// the returned task completes when the server has inserted them, and throws its error.
    /// </summary>
    private static async Task<Task> CopyAsync<TRows>(NpgsqlConnection connection, string copySql, int count, TRows source, Action<BinaryCopyWriter, TRows, int> writeRow, CancellationToken cancellationToken)
    {
        // The rows are encoded into one pooled buffer (synchronously: a per-value async call costs more CPU than the row
        // itself), which goes to the server in 64 KB chunks, so it parses one chunk while the next is encoded.
        using var rows = new BinaryCopyWriter();
        var stream = await connection.BeginRawBinaryCopyAsync(copySql, cancellationToken).ConfigureAwait(false);
        try
        {
            rows.WriteHeader();
            for (var i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                writeRow(rows, source, i);
                if (rows.ShouldFlush)
                {
                    await stream.WriteAsync(rows.Pending, cancellationToken).ConfigureAwait(false);
                    rows.Take();
                }
            }

            rows.WriteTrailer();
            await stream.WriteAsync(rows.Pending, cancellationToken).ConfigureAwait(false);
            rows.Take();
        }
        catch
        {
            // Disposing the stream would end the COPY as if complete: abort it instead (the transaction is rolled
            // back anyway; this keeps the connection usable).
            await CancelQuietlyAsync(stream).ConfigureAwait(false);
            throw;
        }

        // Disposing the stream sends the end of the COPY (every byte is sent by now: the buffer can go back to its pool)
        // and then waits for the server's answer: the server's error, such as a stored id, is thrown there.
        return stream.DisposeAsync().AsTask();
    }

    private static async Task CancelQuietlyAsync(NpgsqlRawCopyStream stream)
    {
        try
        {
            await stream.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
        {
            // The COPY or the connection is already broken: the caller's exception says why; the connection is reset.
        }
    }

    private async Task<NpgsqlConnection> EnsureOpenAsync(Writer writer, CancellationToken cancellationToken)
    {
        if (writer.Connection is { } open)
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

            // The version decides who keeps the rollup: this sink (3), the insert trigger of a schema a DBA has not
            // migrated yet (2), nobody (1).
            var version = await PostgreSqlSchema.ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
            PostgreSqlSchema.ThrowIfNewer(version);
            // From version 3 the sink keeps the rollup (or marks it incomplete): its session tells the insert trigger,
            // which stays for every other writer, to leave its rows alone.
            var setup = version >= PostgreSqlSchema.ClientRollupVersion
                ? CreateStagingSql + "SET " + PostgreSqlSchema.WriterRollupSetting + " = on;"
                : CreateStagingSql;
            using (var staging = new NpgsqlCommand(setup, connection))
            {
                await staging.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            writer.Version = version;
            writer.Layout = version >= PostgreSqlSchema.ExtraVersion ? Layout.WithExtra : Layout.WithRecordJson;
            writer.Connection = connection;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ResetAsync(Writer writer)
    {
        if (writer.Connection is { } connection)
        {
            writer.Connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A part of a batch, on its writer's connection, and how it keeps the rollup.</summary>
    private sealed record Part(Writer Writer, NpgsqlConnection Connection, IReadOnlyList<CostRecord> Records, int Offset, int Count, bool ClientRollup, bool MarkIncomplete);

    /// <summary>One connection of the sink, used by one part of a batch at a time.</summary>
    private sealed class Writer
    {
        public NpgsqlConnection? Connection { get; set; }

        public int Version { get; set; }

        public Layout Layout { get; set; } = Layout.WithExtra;

        /// <summary>The rollup rows this writer appended since it last decided whether to compact them (schema version 5).</summary>
        public AppendedRollups Appended { get; } = new();
    }

    /// <summary>
    /// The rollup rows a writer appended (schema version 5), to decide when compacting pays: after
    /// <see cref="DecideAfterRows"/> rows, when merging them would remove at least a quarter of them (their keys repeat,
    /// as with a few features, teams and models), their buckets are compacted; when nearly every row is its own group (a
    /// tag with one value per call), compacting would rewrite the rows for nothing, and they are left as they are.
    /// </summary>
    internal sealed class AppendedRollups
    {
        internal const int DecideAfterRows = 32 * 1024;

        private readonly HashSet<RollupKey> _keys = [];
        private long _rows;
        private long _records;

        /// <summary>
        /// Gets the records and the groups (rows once compacted) of the last window decided, when those rows outnumber
        /// half the records: sparse data, for which the store reads the records (it reads the rollup while the rollup
        /// has at most half their rows), so the rollup only costs the writer; otherwise null.
        /// </summary>
        public (long Records, long Groups)? Sparse { get; private set; }

        /// <summary>Counts a part's appended rows; returns the buckets to compact when it is time and it pays, else null.</summary>
        /// <param name="keys">The part's rollup rows.</param>
        /// <param name="records">The part's records.</param>
        public DateTime[]? Add(IEnumerable<RollupKey> keys, int records)
        {
            foreach (var key in keys)
            {
                _keys.Add(key);
                _rows++;
            }

            _records += records;
            if (_rows < DecideAfterRows)
            {
                return null;
            }

            var pays = _keys.Count <= _rows * 3 / 4;
            var buckets = pays ? _keys.Select(k => k.Bucket).Distinct().Order().ToArray() : null;
            Sparse = _keys.Count > _records / 2 ? (_records, _keys.Count) : null;
            _keys.Clear();
            _rows = 0;
            _records = 0;
            return buckets;
        }
    }

    /// <summary>
    /// The statements of a table layout: from schema version 5 the last column is <c>extra</c> (the fields no column
    /// holds); before, <c>record</c> (the whole record's JSON), written when a DBA has not migrated the schema yet.
    /// </summary>
    private sealed class Layout
    {
        public static readonly Layout WithExtra = new("extra", extra: true);
        public static readonly Layout WithRecordJson = new("record", extra: false);

        private Layout(string lastColumn, bool extra)
        {
            var columns = CommonColumns + ", " + lastColumn;
            Extra = extra;
            CopySql = "COPY cost_records_staging (" + columns + ") FROM STDIN (FORMAT BINARY)";
            CopyDirectSql = "COPY cost_records (" + columns + ") FROM STDIN (FORMAT BINARY)";
            var insertFromStaging = "INSERT INTO cost_records (" + columns + ") SELECT " + columns + " FROM cost_records_staging ON CONFLICT DO NOTHING";
            UpsertSql = insertFromStaging + ";";
            UpsertWithRollupSql = PostgreSqlSchema.RollupOfInserted(insertFromStaging + " RETURNING " + PostgreSqlSchema.DeltaColumns, append: extra);
        }

        public bool Extra { get; }

        public string CopySql { get; }

        public string CopyDirectSql { get; }

        public string UpsertSql { get; }

        public string UpsertWithRollupSql { get; }
    }
}
