using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Npgsql;

namespace LlmCost.Sdk.Storage.Benchmarks;

public static class Program
{
    // dotnet run -c Release -- --filter '*SinkThroughput*' --job short     (BenchmarkDotNet: sink records/s at batch 512)
    // dotnet run -c Release -- generate sqlite <file> <records>             (bulk-load through the sink, prints records/s)
    // dotnet run -c Release -- generate pg <schema> <records> [uniform|skewed][-norollup] [<of records>] [connections=N]
    //                                        (skewed: one app's shape, SyntheticRecords.CreateSkewed; -norollup: the sink's
    //                                         Rollup option off, to measure what the rollup costs the sink; connections:
    //                                         PostgreSqlCostSinkOptions.Connections, default the option's default;
    //                                         a shape ending in -v2, e.g. uniform-v2: into a schema version 2 with its
    //                                         insert trigger, the "before" of schema version 3)
    // dotnet run -c Release -- timeline <schema> <records> <chunk bytes> [<sql run first>]
    //                                        (rollup off, the sink's COPY step by step: per record, the wall time of encoding
    //                                         and sending, of waiting for the COPY's end, of the commit, and the backend's CPU
    //                                         in each; <sql run first> is a diagnostic, e.g. "SET synchronous_commit = off")
    // dotnet run -c Release -- aggregate sqlite <file>                      (the report's queries: seconds, rows, peak memory)
    // dotnet run -c Release -- aggregate pg <schema> [1,2,4]                (only these of the four queries)
    public static async Task<int> Main(string[] args)
    {
        if (args is ["generate", "pg", ..] && Array.Find(args, a => a.StartsWith("connections=", StringComparison.Ordinal)) is { } connections)
        {
            s_connections = int.Parse(connections["connections=".Length..], CultureInfo.InvariantCulture);
            args = [.. args.Where(a => a != connections)];
        }

        if (args is ["generate", "pg", _, _, var v2Shape, ..] && v2Shape.EndsWith("-v2", StringComparison.Ordinal))
        {
            s_v2 = true;
            args[4] = v2Shape[..^"-v2".Length];
        }

        switch (args)
        {
            case ["generate", var store, var target, var count]:
                await GenerateAsync(store, target, long.Parse(count, CultureInfo.InvariantCulture), skewed: false, noRollup: false);
                return 0;
            case ["generate", var store, var target, var count, var shape]:
                await GenerateAsync(store, target, long.Parse(count, CultureInfo.InvariantCulture), skewed: shape.StartsWith("skewed", StringComparison.Ordinal), noRollup: shape.EndsWith("-norollup", StringComparison.Ordinal));
                return 0;
            case ["generate", var store, var target, var count, var shape, var of]:
                // The first <count> records of a data set of <of>: the same records per 15-minute bucket as the whole
                // set (its first days), so a query's cost per record and the rollup's rows per record are the whole set's.
                await GenerateAsync(store, target, long.Parse(count, CultureInfo.InvariantCulture), skewed: shape.StartsWith("skewed", StringComparison.Ordinal), noRollup: shape.EndsWith("-norollup", StringComparison.Ordinal), total: long.Parse(of, CultureInfo.InvariantCulture));
                return 0;
            case ["timeline", var target, var countText, var chunkText, .. var rest]:
                await TimelineAsync(target, int.Parse(countText, CultureInfo.InvariantCulture), int.Parse(chunkText, CultureInfo.InvariantCulture), rest is [var alter] ? alter : null);
                return 0;
            case ["client-cpu", var countText]:
                await ClientCpuAsync(int.Parse(countText, CultureInfo.InvariantCulture));
                return 0;
            case ["aggregate", var store, var target]:
                await AggregateAsync(store, target, "1,2,3,4");
                return 0;
            case ["aggregate", var store, var target, var cases]:
                await AggregateAsync(store, target, cases);
                return 0;
            case ["aggregate", "pg", var target, var cases, var path and ("records" or "rollup")]:
                await AggregateAsync("pg", target, cases, forced: path);
                return 0;
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }

    private static async Task GenerateAsync(string store, string target, long count, bool skewed, bool noRollup, long? total = null)
    {
        var of = total ?? count;
        ICostSink sink;
        if (store == "sqlite")
        {
            sink = new SqliteCostSink(target);
        }
        else
        {
            await using (var connection = new NpgsqlConnection(BenchmarkPostgres.ConnectionString))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {target};", connection);
                await create.ExecuteNonQueryAsync();
            }

            // "-v2": the schema as version 2 left it (the rollup kept by the insert trigger), which this sink writes to
            // as version 2 did: the "before" of the client-side rollup, with everything else the same.
            var v2 = s_v2;
            if (v2)
            {
                await using var connection = new NpgsqlConnection(BenchmarkPostgres.WithSchema(target));
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand(
                    PostgreSqlSchema.Version1 + PostgreSqlSchema.Version2 + "CREATE TABLE llmcost_schema_version (version integer NOT NULL); INSERT INTO llmcost_schema_version VALUES (2);",
                    connection);
                await create.ExecuteNonQueryAsync();
            }

            var options = new PostgreSqlCostSinkOptions { Rollup = !noRollup, MigrateSchema = !v2 };
            options.Connections = s_connections ?? options.Connections;
            sink = new PostgreSqlCostSink(BenchmarkPostgres.WithSchema(target) + ";Application Name=" + SinkApplicationName, options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
            Console.WriteLine(FormattableString.Invariant($"PostgreSQL sink: Rollup = {options.Rollup}, Connections = {options.Connections}"));
        }

        var batch = new CostRecord[SinkThroughputBenchmarks.BatchSize];
        var clock = Stopwatch.StartNew();
        var writing = TimeSpan.Zero;
        var writingCpu = TimeSpan.Zero; // this process's CPU time inside WriteAsync: the load-independent cost
        using var self = Process.GetCurrentProcess();

        // The warm figures leave out the first quarter (at most 256 batches): JIT compilation (tier 0, then tier 1 with
        // PGO) and the connections' set-up are a large share of a short run's CPU, and none of a long-running app's.
        var warmFrom = Math.Min(count / 4 / batch.Length, 256) * batch.Length;
        (TimeSpan Wall, TimeSpan Client, TimeSpan Server) warm = default;
        var walFrom = 0L;
        for (long n = 0; n < count; n += batch.Length)
        {
            if (n == warmFrom && warmFrom > 0)
            {
                warm = (writing, writingCpu, store == "sqlite" ? TimeSpan.Zero : await ServerCpuAsync(SinkApplicationName));
                walFrom = store == "sqlite" ? 0 : await WalPositionAsync();
            }

            var size = (int)Math.Min(batch.Length, count - n);
            var records = size == batch.Length ? batch : new CostRecord[size];
            for (var i = 0; i < size; i++)
            {
                records[i] = skewed ? SyntheticRecords.CreateSkewed(n + i, of) : SyntheticRecords.Create(n + i, of);
            }

            self.Refresh();
            var cpu = self.TotalProcessorTime;
            var write = Stopwatch.GetTimestamp();
            await sink.WriteAsync(records, CancellationToken.None);
            writing += Stopwatch.GetElapsedTime(write);
            self.Refresh();
            writingCpu += self.TotalProcessorTime - cpu;
            if ((n / batch.Length) % 2000 == 0)
            {
                Console.WriteLine(FormattableString.Invariant($"{n + size:N0} records, {(n + size) / writing.TotalSeconds:N0} records/s in WriteAsync"));
            }
        }

        var serverCpu = store == "sqlite" ? TimeSpan.Zero : await ServerCpuAsync(SinkApplicationName);
        var walTo = store == "sqlite" ? 0 : await WalPositionAsync();
        (sink as IDisposable)?.Dispose();
        Console.WriteLine(FormattableString.Invariant(
            $"{store}: {count:N0} records in {clock.Elapsed.TotalSeconds:N1} s; WriteAsync alone {writing.TotalSeconds:N1} s = {count / writing.TotalSeconds:N0} records/s (batch {batch.Length})"));
        var totalCpu = writingCpu + serverCpu;
        Console.WriteLine(FormattableString.Invariant(
            $"{store}: CPU in WriteAsync {writingCpu.TotalSeconds:N1} s (client) + {serverCpu.TotalSeconds:N1} s (server backend) = {count / totalCpu.TotalSeconds:N0} records per CPU-second"));
        var warmCount = count - warmFrom;
        var (warmWall, warmClient, warmServer) = (writing - warm.Wall, writingCpu - warm.Client, serverCpu - warm.Server);
        Console.WriteLine(FormattableString.Invariant(
            $"{store}: warm (the last {warmCount:N0} records): {warmCount / warmWall.TotalSeconds:N0} records/s in WriteAsync; CPU per record {warmClient.TotalMicroseconds / warmCount:N1} us client + {warmServer.TotalMicroseconds / warmCount:N1} us server = {warmCount / (warmClient + warmServer).TotalSeconds:N0} records per CPU-second"));

        if (store != "sqlite" && walFrom > 0)
        {
            Console.WriteLine(FormattableString.Invariant($"{store}: WAL written (warm, the whole server: run nothing else on it) {(double)(walTo - walFrom) / warmCount:N0} bytes per record"));
        }

        if (store != "sqlite")
        {
            // What autovacuum does for an insert-only table: statistics and the visibility map for index-only scans.
            var vacuum = Stopwatch.StartNew();
            await using var connection = new NpgsqlConnection(BenchmarkPostgres.WithSchema(target));
            await connection.OpenAsync();
            foreach (var table in new[] { "cost_records", "cost_rollups" })
            {
                await using var command = new NpgsqlCommand($"VACUUM (ANALYZE) {table};", connection) { CommandTimeout = 0 };
                await command.ExecuteNonQueryAsync();
            }

            Console.WriteLine(FormattableString.Invariant($"VACUUM (ANALYZE): {vacuum.Elapsed.TotalSeconds:N1} s"));
            await using var rollups = new NpgsqlCommand(
                "SELECT CASE WHEN to_regclass('cost_rollups') IS NULL THEN -1 ELSE (SELECT count(*) FROM cost_rollups) END;", connection) { CommandTimeout = 0 };
            Console.WriteLine(FormattableString.Invariant($"cost_rollups rows: {await rollups.ExecuteScalarAsync():N0} (-1: none, schema v1) for {count:N0} records"));
        }
    }

    /// <summary>
    /// Where the PostgreSQL sink's client CPU goes: the record's JSON alone, then whole rows through the binary importer
    /// into a TEMP table without indexes (so the server does little), per record.
    /// </summary>
    private static async Task ClientCpuAsync(int count)
    {
        var records = Enumerable.Range(0, count).Select(i => SyntheticRecords.Create(i, count)).ToArray();
        using var self = Process.GetCurrentProcess();
        foreach (var _ in Enumerable.Range(0, 2))
        {
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            var length = 0L;
            foreach (var record in records)
            {
                length += record.ToJson().Length;
            }

            self.Refresh();
            Console.WriteLine(FormattableString.Invariant($"ToJson: {(self.TotalProcessorTime - cpu).TotalMicroseconds / count:N2} us CPU per record ({length / count} chars)"));
        }

        foreach (var extra in new[] { false, true, false, true })
        {
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            using var rows = new BinaryCopyWriter();
            foreach (var record in records)
            {
                rows.WriteRow(record, extra);
                if (rows.ShouldFlush)
                {
                    rows.Take();
                }
            }

            self.Refresh();
            Console.WriteLine(FormattableString.Invariant($"BinaryCopyWriter.WriteRow alone ({(extra ? "schema v5: extra" : "schema v4: the record's JSON")}, no I/O): {(self.TotalProcessorTime - cpu).TotalMicroseconds / count:N2} us CPU per record"));
        }

        foreach (var _ in Enumerable.Range(0, 2))
        {
            // The rollup's client side per record (schema version 6): the batch's sums per bucket and group, the appended
            // rows' bookkeeping for compaction, and their COPY rows.
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            var appended = new PostgreSqlCostSink.AppendedRollups();
            var groups = 0L;
            using var rows = new BinaryCopyWriter();
            for (var offset = 0; offset + SinkThroughputBenchmarks.BatchSize <= count; offset += SinkThroughputBenchmarks.BatchSize)
            {
                var sums = RollupDelta.Aggregate(records, offset, SinkThroughputBenchmarks.BatchSize, grains: true)!;
                groups += sums.Count;
                appended.Add(sums.Keys, SinkThroughputBenchmarks.BatchSize);
                foreach (var (key, value) in sums)
                {
                    rows.WriteRollupRow(key, value, grain: true);
                    if (rows.ShouldFlush)
                    {
                        rows.Take();
                    }
                }
            }

            self.Refresh();
            Console.WriteLine(FormattableString.Invariant($"Rollup in the client (aggregate, compaction bookkeeping, COPY rows; no I/O): {(self.TotalProcessorTime - cpu).TotalMicroseconds / count:N2} us CPU per record ({(double)groups / count:N2} rows per record)"));
        }

        await using var connection = new NpgsqlConnection(BenchmarkPostgres.ConnectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE copy_probe (id uuid, \"timestamp\" timestamptz, provider text, operation text, model text, request_model text, service_tier text, region text, streaming boolean, status_code integer, error_type text, duration_ms double precision, feature text, team text, customer text, environment text, input_tokens bigint, cached_input_tokens bigint, cache_write_input_tokens bigint, cache_write_1h_input_tokens bigint, output_tokens bigint, reasoning_tokens bigint, web_search_requests bigint, usage_source text, cost_total numeric, price_table_version text, price_entry text, price_effective_from date, extra text);",
            connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        foreach (var _ in Enumerable.Range(0, 3))
        {
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            for (var offset = 0; offset < count; offset += SinkThroughputBenchmarks.BatchSize)
            {
                // The sink's encoder (BinaryCopyWriter) through Npgsql's raw binary COPY stream.
                using var rows = new BinaryCopyWriter();
                var stream = await connection.BeginRawBinaryCopyAsync("COPY copy_probe FROM STDIN (FORMAT BINARY)");
                await using (stream)
                {
                    rows.WriteHeader();
                    for (var i = offset; i < Math.Min(offset + SinkThroughputBenchmarks.BatchSize, count); i++)
                    {
                        rows.WriteRow(records[i]);
                        if (rows.ShouldFlush)
                        {
                            await stream.WriteAsync(rows.Pending);
                            rows.Take();
                        }
                    }

                    rows.WriteTrailer();
                    await stream.WriteAsync(rows.Pending);
                }
            }

            self.Refresh();
            Console.WriteLine(FormattableString.Invariant($"COPY rows (schema v5: extra): {(self.TotalProcessorTime - cpu).TotalMicroseconds / count:N2} us client CPU per record"));
            await using (var truncateFirst = new NpgsqlCommand("TRUNCATE copy_probe;", connection))
            {
                await truncateFirst.ExecuteNonQueryAsync();
            }

            self.Refresh();
            cpu = self.TotalProcessorTime;
            for (var offset = 0; offset < count; offset += SinkThroughputBenchmarks.BatchSize)
            {
                var importer = await connection.BeginBinaryImportAsync("COPY copy_probe FROM STDIN (FORMAT BINARY)");
                await using (importer)
                {
                    foreach (var record in records.AsSpan(offset, Math.Min(SinkThroughputBenchmarks.BatchSize, count - offset)))
                    {
                        WriteRowInferred(importer, record);
                    }

                    await importer.CompleteAsync();
                }
            }

            self.Refresh();
            Console.WriteLine(FormattableString.Invariant($"COPY rows, types inferred from the CLR values: {(self.TotalProcessorTime - cpu).TotalMicroseconds / count:N2} us client CPU per record"));
            await using var truncate = new NpgsqlCommand("TRUNCATE copy_probe;", connection);
            await truncate.ExecuteNonQueryAsync();
        }
    }

    private static void WriteRowInferred(NpgsqlBinaryImporter w, CostRecord record)
    {
        w.StartRow();
        w.Write(record.Id);
        w.Write(record.Timestamp.UtcDateTime);
        w.Write(record.Provider);
        w.Write(record.Operation);
        Text(w, record.Model);
        Text(w, record.RequestModel);
        Text(w, record.ServiceTier);
        Text(w, record.Region);
        w.Write(record.Streaming);
        if (record.StatusCode is { } status)
        {
            w.Write(status);
        }
        else
        {
            w.WriteNull();
        }

        Text(w, record.ErrorType);
        w.Write(record.DurationMs);
        Text(w, record.Tags.Feature);
        Text(w, record.Tags.Team);
        Text(w, record.Tags.Customer);
        Text(w, record.Tags.Environment);
        w.Write(record.Usage.InputTokens);
        w.Write(record.Usage.CachedInputTokens);
        w.Write(record.Usage.CacheWriteInputTokens);
        w.Write(record.Usage.CacheWrite1hInputTokens);
        w.Write(record.Usage.OutputTokens);
        w.Write(record.Usage.ReasoningTokens);
        w.Write(record.Usage.WebSearchRequests);
        w.Write("provider");
        if (record.Cost is { } cost)
        {
            w.Write(cost.Total);
        }
        else
        {
            w.WriteNull();
        }

        if (record.Price is { } price)
        {
            w.Write(price.TableVersion);
            w.Write(price.Entry);
            w.Write(price.EffectiveFrom);
        }
        else
        {
            w.WriteNull();
            w.WriteNull();
            w.WriteNull();
        }

        w.Write(record.ToJson(), NpgsqlTypes.NpgsqlDbType.Text); // the whole JSON, as schema version 4 stored it

        static void Text(NpgsqlBinaryImporter w, string? value)
        {
            if (value is null)
            {
                w.WriteNull();
            }
            else
            {
                w.Write(value);
            }
        }
    }

    private const string SinkApplicationName = "llmcost-bench-sink";

    private static int? s_connections;

    private static bool s_v2;

    private const string ReportApplicationName = "llmcost-bench-report";

    /// <summary>The CPU time of the PostgreSQL backend processes (same machine) of the connections named <paramref name="applicationName"/>, from /proc.</summary>
    /// <summary>
    /// Where a batch's wall time goes when the sink's COPY is reproduced step by step (rollup off): the BEGIN round trip,
    /// encoding and sending the rows (<c>chunk</c> bytes at a time), the wait for the server to finish the COPY after the
    /// last chunk, and the commit. Shows whether the server inserts while the client encodes.
    /// </summary>
    private static async Task TimelineAsync(string target, int count, int chunk, string? alter)
    {
        var connectionString = BenchmarkPostgres.WithSchema(target) + ";Application Name=" + SinkApplicationName;
        await using (var connection = new NpgsqlConnection(BenchmarkPostgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {target};", connection);
            await create.ExecuteNonQueryAsync();
        }

        await using (var sink = new PostgreSqlCostSink(connectionString, new PostgreSqlCostSinkOptions { Rollup = false }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance))
        {
            await sink.WriteAsync([SyntheticRecords.Create(count, count + 1)], CancellationToken.None); // the schema
        }

        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        await using (var setup = new NpgsqlCommand(alter + "; SET llmcost.rollup_by_writer = on;", db))
        {
            await setup.ExecuteNonQueryAsync();
        }

        int backend;
        await using (var pid = new NpgsqlCommand("SELECT pg_backend_pid();", db))
        {
            backend = (int)(await pid.ExecuteScalarAsync())!;
        }

        // The backend's time on a CPU in nanoseconds (the first field of schedstat): which phase the server works in.
        long OnCpu() => long.Parse(File.ReadAllText($"/proc/{backend}/schedstat").Split(' ')[0], CultureInfo.InvariantCulture);
        double serverEncode = 0, serverTail = 0, serverCommit = 0;
        var batch = new CostRecord[SinkThroughputBenchmarks.BatchSize];
        double begin = 0, encode = 0, tail = 0, commit = 0;
        var measured = 0;
        var warmFrom = count / 4;
        var server = TimeSpan.Zero;
        using var self = Process.GetCurrentProcess();
        var client = TimeSpan.Zero;
        for (var n = 0; n + batch.Length <= count; n += batch.Length)
        {
            if (n == warmFrom)
            {
                server = await ServerCpuAsync(SinkApplicationName);
                self.Refresh();
                client = self.TotalProcessorTime;
            }

            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = SyntheticRecords.Create(n + i, count);
            }

            var t0 = Stopwatch.GetTimestamp();
            await using var transaction = await db.BeginTransactionAsync();
            var t1 = Stopwatch.GetTimestamp();
            var s1 = OnCpu();
            long t2, s2;
            using (var rows = new BinaryCopyWriter(chunk))
            {
                var stream = await db.BeginRawBinaryCopyAsync("COPY cost_records (id, \"timestamp\", provider, operation, model, request_model, service_tier, region, streaming, status_code, error_type, duration_ms, feature, team, customer, environment, input_tokens, cached_input_tokens, cache_write_input_tokens, cache_write_1h_input_tokens, output_tokens, reasoning_tokens, web_search_requests, usage_source, cost_total, price_table_version, price_entry, price_effective_from, extra) FROM STDIN (FORMAT BINARY)");
                await using (stream)
                {
                    rows.WriteHeader();
                    foreach (var record in batch)
                    {
                        rows.WriteRow(record);
                        if (rows.ShouldFlush)
                        {
                            await stream.WriteAsync(rows.Pending);
                            rows.Take();
                        }
                    }

                    rows.WriteTrailer();
                    await stream.WriteAsync(rows.Pending);
                    t2 = Stopwatch.GetTimestamp();
                    s2 = OnCpu();
                }
            }

            var t3 = Stopwatch.GetTimestamp();
            var s3 = OnCpu();
            await transaction.CommitAsync();
            var t4 = Stopwatch.GetTimestamp();
            var s4 = OnCpu();
            if (n >= warmFrom)
            {
                measured += batch.Length;
                begin += Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds;
                encode += Stopwatch.GetElapsedTime(t1, t2).TotalMicroseconds;
                tail += Stopwatch.GetElapsedTime(t2, t3).TotalMicroseconds;
                commit += Stopwatch.GetElapsedTime(t3, t4).TotalMicroseconds;
                serverEncode += (s2 - s1) / 1000.0;
                serverTail += (s3 - s2) / 1000.0;
                serverCommit += (s4 - s3) / 1000.0;
            }
        }

        server = await ServerCpuAsync(SinkApplicationName) - server;
        self.Refresh();
        client = self.TotalProcessorTime - client;
        Console.WriteLine(FormattableString.Invariant(
            $"chunk {chunk:N0} B, {measured:N0} warm records, per record: begin {begin / measured:N2} us, encode+send {encode / measured:N2} us, wait for the COPY's end {tail / measured:N2} us, commit {commit / measured:N2} us; total {(begin + encode + tail + commit) / measured:N2} us = {measured / ((begin + encode + tail + commit) / 1e6):N0} records/s; CPU {client.TotalMicroseconds / measured:N2} us client (whole process) + {server.TotalMicroseconds / measured:N2} us server; the server's CPU during encode+send {serverEncode / measured:N2} us, during the wait {serverTail / measured:N2} us, during the commit {serverCommit / measured:N2} us"));
    }

    /// <summary>The server's current WAL position in bytes (<c>pg_current_wal_lsn()</c>).</summary>
    private static async Task<long> WalPositionAsync()
    {
        await using var connection = new NpgsqlConnection(BenchmarkPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint;", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<TimeSpan> ServerCpuAsync(string applicationName)
    {
        await using var connection = new NpgsqlConnection(BenchmarkPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT pid FROM pg_stat_activity WHERE application_name = '{applicationName}';", connection);
        var total = TimeSpan.Zero;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var pid = reader.GetInt32(0);
            if (!File.Exists($"/proc/{pid}/stat"))
            {
                continue;
            }

            var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime + stime
            total += TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ
        }

        return total;
    }

    private static async Task AggregateAsync(string store, string target, string only, string? forced = null)
    {
        var connectionString = store == "sqlite" ? target : BenchmarkPostgres.WithSchema(target) + ";Command Timeout=0;Application Name=" + ReportApplicationName;
        ICostRecordQuery query = store == "sqlite"
            ? new SqliteCostRecordStore(target)
            : forced is null ? new PostgreSqlCostRecordStore(connectionString) : new ForcedPathQuery(connectionString, forced == "rollup");
        var cases = new (string Name, CostAggregateQuery Query)[]
        {
            ("month, 15-min buckets, no grouping", Month([])),
            ("month, 15-min buckets, by feature", Month([CostDimension.Feature])),
            ("month, daily buckets, by all six dimensions", Month([CostDimension.Provider, CostDimension.Model, CostDimension.Feature, CostDimension.Team, CostDimension.Customer, CostDimension.Environment], TimeSpan.FromDays(1))),
            ("one day, 15-min buckets, by model", new CostAggregateQuery { From = SyntheticRecords.Start.AddDays(14), To = SyntheticRecords.Start.AddDays(15), GroupBy = [CostDimension.Model] }),
        };

        // Warm-up (connection, driver and JIT), not measured: an hour's sums.
        await foreach (var _ in query.AggregateAsync(new CostAggregateQuery { From = SyntheticRecords.Start, To = SyntheticRecords.Start.AddHours(1) }))
        {
        }

        var selected = only.Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToHashSet();
        foreach (var (name, q) in cases.Where((_, i) => selected.Contains(i + 1)))
        {
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            using var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var server = store == "sqlite" ? TimeSpan.Zero : await ServerCpuAsync(ReportApplicationName); // the pooled connection's backend
            var clock = Stopwatch.StartNew();
            long rows = 0, calls = 0;
            decimal cost = 0;
            await foreach (var aggregate in query.AggregateAsync(q))
            {
                rows++;
                calls += aggregate.Calls;
                cost += aggregate.Cost;
            }

            var seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            var serverCpu = store == "sqlite" ? TimeSpan.Zero : await ServerCpuAsync(ReportApplicationName) - server;
            Console.WriteLine(FormattableString.Invariant(
                $"{store} | {name} | {seconds:N2} s | this process's CPU {(process.TotalProcessorTime - cpu).TotalSeconds:N2} s | server backend CPU {serverCpu.TotalSeconds:N2} s | {rows:N0} rows | {calls:N0} calls | ${cost:N2} | managed allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:N1} MiB | peak working set {process.PeakWorkingSet64 / 1048576.0:N0} MiB"));
        }
    }

    private static CostAggregateQuery Month(CostDimension[] groupBy, TimeSpan? bucket = null) => new()
    {
        From = SyntheticRecords.Start,
        To = SyntheticRecords.Start + SyntheticRecords.Span,
        GroupBy = groupBy,
        BucketSize = bucket ?? CostAggregateQuery.DefaultBucketSize,
    };

    /// <summary>
    /// The PostgreSQL store's aggregate with its choice of table taken away: the records (covering index) or the rollup,
    /// in the same read-only transaction with the same <c>work_mem</c>, to compare the two on one data set.
    /// </summary>
    private sealed class ForcedPathQuery(string connectionString, bool fromRollups) : ICostRecordQuery
    {
        public async IAsyncEnumerable<CostAggregate> AggregateAsync(CostAggregateQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            await using (var settings = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL work_mem = '64MB';", connection, transaction))
            {
                await settings.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = new NpgsqlCommand(PostgreSqlCostRecordStore.BuildAggregateSql(query.GroupBy, fromRollups ? PostgreSqlCostRecordStore.SourceFor(PostgreSqlSchema.CurrentVersion, [query.GroupBy]) : AggregateSource.Records), connection, transaction);
            command.Parameters.AddWithValue("from", query.From.ToUniversalTime());
            command.Parameters.AddWithValue("to", query.To.ToUniversalTime());
            command.Parameters.AddWithValue("bucket", query.BucketSize);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var c = 1 + query.GroupBy.Count;
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return new CostAggregate
                {
                    BucketStart = reader.GetFieldValue<DateTimeOffset>(0),
                    Keys = [.. Enumerable.Range(1, query.GroupBy.Count).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i))],
                    Calls = reader.GetInt64(c),
                    UnpricedCalls = reader.GetInt64(c + 1),
                    InputTokens = reader.GetInt64(c + 2),
                    CachedInputTokens = reader.GetInt64(c + 3),
                    OutputTokens = reader.GetInt64(c + 4),
                    Cost = reader.GetDecimal(c + 5),
                };
            }
        }
    }
}
