using Microsoft.Data.Sqlite;

namespace LlmCost.Sdk.Storage.Tests.Sqlite;

/// <summary>The store contract on a SQLite file of the test's own.</summary>
public sealed class SqliteCostStoreTests : CostStoreContractTests, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "llmcost-sqlite-tests", Guid.NewGuid().ToString("N"));

    private string DbPath => Path.Combine(_folder, "costs.db");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    protected override Task<ICostSink> CreateSinkAsync() => Task.FromResult<ICostSink>(new SqliteCostSink(DbPath));

    protected override ICostRecordQuery CreateStore() => new SqliteCostRecordStore(DbPath);

    protected override IAsyncEnumerable<CostRecord> ReadAllAsync() =>
        new SqliteCostRecordStore(DbPath).ReadRecordsAsync(DateTimeOffset.MinValue.AddYears(1970), DateTimeOffset.MaxValue.AddYears(-1));

    [Fact]
    public async Task WriteAsync_NewFile_IsWalAtTheCurrentSchemaVersionWithTheQueriedColumns()
    {
        using (var sink = new SqliteCostSink(DbPath))
        {
            await sink.WriteAsync([StoreRecords.Full()], CancellationToken.None);
        }

        using var connection = OpenRaw();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(2L, Scalar(connection, "PRAGMA user_version;"));
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT timestamp_ms, provider, model, request_model, service_tier, region, streaming, status_code, feature, team, customer,
                   environment, input_tokens, cached_input_tokens, cache_write_input_tokens, cache_write_1h_input_tokens, output_tokens,
                   reasoning_tokens, web_search_requests, usage_source, cost_total, cost_nanos, cost_attos, price_table_version,
                   price_entry, price_effective_from, duration_ms, operation, error_type
            FROM cost_records;
            """;
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 15, 0, 0, 123, TimeSpan.Zero).ToUnixTimeMilliseconds(), reader.GetInt64(0));
        Assert.Equal(
            ["anthropic", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5", "priority", "eu"],
            Enumerable.Range(1, 5).Select(reader.GetString));
        Assert.Equal(1L, reader.GetInt64(6));
        Assert.Equal(200L, reader.GetInt64(7));
        Assert.Equal(["ticket-triage", "search", "Zürich AG", "production"], Enumerable.Range(8, 4).Select(reader.GetString));
        Assert.Equal([1200L, 1024, 100, 40, 350, 120, 2], Enumerable.Range(12, 7).Select(reader.GetInt64));
        Assert.Equal("provider", reader.GetString(19));
        Assert.Equal("0.0264142", reader.GetString(20));   // exact decimal text
        Assert.Equal(26_414_200L, reader.GetInt64(21));     // nano-dollars
        Assert.Equal(0L, reader.GetInt64(22));              // and the atto-dollars beyond them
        Assert.Equal(["2026.11.3", "anthropic/claude-sonnet-4-5", "2025-09-29"], Enumerable.Range(23, 3).Select(reader.GetString));
        Assert.Equal(812.4, reader.GetDouble(26));
        Assert.Equal("chat", reader.GetString(27));
        Assert.True(reader.IsDBNull(28));
    }

    [Fact]
    public async Task WriteAsync_EmptyAndNonAsciiText_StoredAsIsNotAsNull()
    {
        var record = StoreRecords.At(StoreRecords.Day, 1.5m, feature: string.Empty, team: "équipe ✓", customer: new string('x', 10_000)) with { ErrorType = string.Empty };
        using (var sink = new SqliteCostSink(DbPath))
        {
            await sink.WriteAsync([record], CancellationToken.None);
            await sink.WriteAsync([record with { Id = Guid.CreateVersion7() }], CancellationToken.None); // the buffer reused after a long value
        }

        using var connection = OpenRaw();
        Assert.Equal(2L, Scalar(connection, "SELECT count(*) FROM cost_records WHERE feature = '' AND error_type = '' AND team = 'équipe ✓' AND length(customer) = 10000;"));
        var read = new List<CostRecord>();
        await foreach (var r in ReadAllAsync())
        {
            read.Add(r);
        }

        Assert.Equal(record.ToJson(), read.Single(r => r.Id == record.Id).ToJson());
    }

    [Fact]
    public async Task AggregateAsync_Query_ReadsTheCoveringIndexNotTheTable()
    {
        using (var sink = new SqliteCostSink(DbPath))
        {
            await sink.WriteAsync([StoreRecords.Full()], CancellationToken.None);
        }

        using var connection = OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteCostRecordStore.BuildAggregateSql([CostDimension.Feature, CostDimension.Model]);
        command.Parameters.AddWithValue("$from", 0L);
        command.Parameters.AddWithValue("$to", long.MaxValue);
        command.Parameters.AddWithValue("$bucket", 900_000L);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, step => step.Contains("USING COVERING INDEX ix_cost_records_aggregate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Migrate_FileOfSchemaVersion1_MovesItForwardKeepingAndFillingItsRecords()
    {
        // A file as the first release wrote it: version 1's DDL and one record, the later fields only in its JSON.
        var old = StoreRecords.Full();
        Directory.CreateDirectory(_folder);
        using (var connection = OpenRaw())
        {
            Execute(connection, SqliteSchema.Version1 + "PRAGMA user_version = 1;");
            using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO cost_records (id, timestamp_ms, provider, operation, model, request_model, streaming, status_code,
                    error_type, duration_ms, feature, team, customer, environment, input_tokens, cached_input_tokens,
                    cache_write_input_tokens, output_tokens, reasoning_tokens, usage_source, cost_total, price_table_version,
                    price_entry, record_json)
                VALUES ($id, $ts, 'anthropic', 'chat', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5', 1, 200, NULL, 812.4,
                    'ticket-triage', 'search', 'Zürich AG', 'production', 1200, 1024, 100, 350, 120, 'provider', '123.026414200000000015',
                    '2026.11.3', 'anthropic/claude-sonnet-4-5', $json);
                """;
            insert.Parameters.AddWithValue("$id", old.Id.ToString("D"));
            insert.Parameters.AddWithValue("$ts", old.Timestamp.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$json", old.ToJson());
            insert.ExecuteNonQuery();
        }

        var added = StoreRecords.At(old.Timestamp.AddMinutes(1), 0.0000000001m, feature: "ticket-triage");
        using (var sink = new SqliteCostSink(DbPath))
        {
            await sink.WriteAsync([added], CancellationToken.None);
        }

        using (var connection = OpenRaw())
        {
            Assert.Equal(2L, Scalar(connection, "PRAGMA user_version;"));
            Assert.Equal("priority|eu|40|2|2025-09-29|123026414200|15", Scalar(connection, $"""
                SELECT service_tier || '|' || region || '|' || cache_write_1h_input_tokens || '|' || web_search_requests || '|'
                    || price_effective_from || '|' || cost_nanos || '|' || cost_attos FROM cost_records WHERE id = '{old.Id:D}';
                """));
            Assert.Equal(0L, Scalar(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'ix_cost_records_timestamp';"));
        }

        var total = Assert.Single(await AggregateListAsync(new SqliteCostRecordStore(DbPath), CostDimension.Feature));
        Assert.Equal(2, total.Calls);
        Assert.Equal(123.026414200100000015m, total.Cost);
        Assert.Equal(["ticket-triage"], total.Keys);
    }

    [Fact]
    public async Task Store_FileOfSchemaVersion1_IsMigratedWhenOpenedForAReport()
    {
        Directory.CreateDirectory(_folder);
        using (var connection = OpenRaw())
        {
            Execute(connection, SqliteSchema.Version1 + "PRAGMA user_version = 1;");
        }

        Assert.Empty(await AggregateListAsync(new SqliteCostRecordStore(DbPath)));
        using var check = OpenRaw();
        Assert.Equal(2L, Scalar(check, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task Store_FileOfANewerSchema_FailsNamingTheVersions()
    {
        Directory.CreateDirectory(_folder);
        using (var connection = OpenRaw())
        {
            Execute(connection, "PRAGMA user_version = 99;");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AggregateListAsync(new SqliteCostRecordStore(DbPath)));
        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);

        using var sink = new SqliteCostSink(DbPath);
        await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteAsync([StoreRecords.Full()], CancellationToken.None));
    }

    [Fact]
    public async Task Store_MissingFile_ThrowsFileNotFound()
    {
        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => AggregateListAsync(new SqliteCostRecordStore(DbPath)));
        Assert.Contains(DbPath, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(DbPath));
    }

    [Fact]
    public async Task Store_SqliteFileWithoutTheSchema_SaysItIsNotAStore()
    {
        Directory.CreateDirectory(_folder);
        using (var connection = OpenRaw())
        {
            Execute(connection, "CREATE TABLE other (x INTEGER);");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AggregateListAsync(new SqliteCostRecordStore(DbPath)));
        Assert.Contains("not an LlmCost SQLite store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_AnotherWriterHoldsTheLock_WaitsForItInsteadOfFailing()
    {
        using (var first = new SqliteCostSink(DbPath))
        {
            await first.WriteAsync([StoreRecords.At(StoreRecords.Day, 1m)], CancellationToken.None);
        }

        using var other = OpenRaw();
        using var transaction = other.BeginTransaction(deferred: false); // another process mid-write
        Execute(other, "UPDATE cost_records SET team = team;", transaction);

        using var sink = new SqliteCostSink(DbPath);
        var write = Task.Run(() => sink.WriteAsync([StoreRecords.At(StoreRecords.Day, 2m)], CancellationToken.None));
        Assert.False(write.IsCompleted);
        transaction.Commit();
        await write;

        Assert.Equal(3m, Assert.Single(await AggregateListAsync(new SqliteCostRecordStore(DbPath))).Cost);
    }

    [Fact]
    public async Task WriteAsync_TwoProcessesWritingOneFile_LoseAndDuplicateNothing()
    {
        Directory.CreateDirectory(_folder);
        const int PerWriter = 3000;
        var writer = Path.Combine(AppContext.BaseDirectory, "LlmCost.Sdk.Storage.TestWriter.dll");
        var processes = Enumerable.Range(1, 2).Select(n => System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { writer, DbPath, n.ToString(System.Globalization.CultureInfo.InvariantCulture), PerWriter.ToString(System.Globalization.CultureInfo.InvariantCulture), "100" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!).ToList();
        foreach (var process in processes)
        {
            var error = process.StandardError.ReadToEndAsync();
            Assert.Equal("done", (await process.StandardOutput.ReadToEndAsync()).Trim());
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await error);
            process.Dispose();
        }

        var result = await AggregateListAsync(new SqliteCostRecordStore(DbPath), CostDimension.Feature);
        Assert.Equal([("writer-1", (long)PerWriter, PerWriter * 0.001m), ("writer-2", PerWriter, PerWriter * 0.001m)], result.Select(a => (a.Keys[0]!, a.Calls, a.Cost)));
        using var connection = OpenRaw();
        Assert.Equal((long)(2 * PerWriter), Scalar(connection, "SELECT count(DISTINCT id) FROM cost_records;"));
    }

    private static async Task<List<CostAggregate>> AggregateListAsync(ICostRecordQuery store, params CostDimension[] groupBy)
    {
        var list = new List<CostAggregate>();
        await foreach (var a in store.AggregateAsync(new CostAggregateQuery
        {
            From = DateTimeOffset.UnixEpoch,
            To = new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero),
            GroupBy = groupBy,
            BucketSize = TimeSpan.FromDays(36500),
        }))
        {
            list.Add(a);
        }

        return [.. list.OrderBy(a => a.Keys.Count > 0 ? a.Keys[0] : null, StringComparer.Ordinal)];
    }

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ConnectionString);
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
