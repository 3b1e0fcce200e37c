using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LlmCost.Sdk.Storage.Tests.PostgreSql;

/// <summary>The store contract on a real PostgreSQL, in a schema of the test's own.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlCostStoreTests(PostgresServer server) : CostStoreContractTests
{
    private string? _connectionString;

    private async Task<string> ConnectionStringAsync() => _connectionString ??= await server.CreateDatabaseAsync();

    protected override async Task<ICostSink> CreateSinkAsync() => new PostgreSqlCostSink(await ConnectionStringAsync());

    protected override ICostRecordQuery CreateStore() => new PostgreSqlCostRecordStore(_connectionString!);

    protected override IAsyncEnumerable<CostRecord> ReadAllAsync() =>
        new PostgreSqlCostRecordStore(_connectionString!).ReadRecordsAsync(DateTimeOffset.UnixEpoch, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task WriteAsync_NewDatabase_CreatesTheSchemaWithTheQueriedColumns()
    {
        var cs = await ConnectionStringAsync();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync([StoreRecords.Full()], CancellationToken.None);
        }

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        Assert.Equal(PostgreSqlSchema.CurrentVersion, await ScalarAsync(connection, "SELECT version FROM llmcost_schema_version;"));
        Assert.Equal(6, PostgreSqlSchema.CurrentVersion);
        Assert.Equal("text", await ScalarAsync(connection, "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'cost_records' AND column_name = 'extra';"));
        Assert.Null(await ScalarAsync(connection, "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'cost_records' AND column_name = 'record';"));
        await using var command = new NpgsqlCommand(
            "SELECT cost_total, \"timestamp\", service_tier, region, customer, cache_write_1h_input_tokens, web_search_requests, price_effective_from, extra::json->'tags'->>'experiment' FROM cost_records;",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(0.0264142m, reader.GetDecimal(0));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 15, 0, 0, 123, TimeSpan.Zero), reader.GetFieldValue<DateTimeOffset>(1));
        Assert.Equal(["priority", "eu", "Zürich AG"], Enumerable.Range(2, 3).Select(reader.GetString));
        Assert.Equal([40L, 2L], Enumerable.Range(5, 2).Select(reader.GetInt64));
        Assert.Equal(new DateOnly(2025, 9, 29), reader.GetFieldValue<DateOnly>(7));
        Assert.Equal("b", reader.GetString(8));
    }

    [Fact]
    public async Task WriteAsync_TwoInstancesStartingTogether_MigrateOnceAndLoseNothing()
    {
        var cs = await ConnectionStringAsync();
        var sinks = Enumerable.Range(0, 4).Select(_ => new PostgreSqlCostSink(cs)).ToList();
        var batches = Enumerable.Range(0, 4)
            .Select(n => Enumerable.Range(0, 200).Select(i => StoreRecords.At(StoreRecords.Day.AddSeconds((n * 1000) + i), 0.001m, feature: "i" + n)).ToArray())
            .ToList();

        await Task.WhenAll(sinks.Select((sink, n) => Task.Run(async () =>
        {
            await sink.WriteAsync(batches[n], CancellationToken.None);
            await sink.WriteAsync(batches[n], CancellationToken.None);
        })));
        foreach (var sink in sinks)
        {
            await sink.DisposeAsync();
        }

        var total = new List<CostAggregate>();
        await foreach (var a in CreateStore().AggregateAsync(new CostAggregateQuery { From = StoreRecords.Day, To = StoreRecords.Day.AddDays(1), BucketSize = TimeSpan.FromDays(1) }))
        {
            total.Add(a);
        }

        Assert.Equal((800L, 0.8m), (Assert.Single(total).Calls, total[0].Cost));
    }

    [Fact]
    public async Task WriteAsync_TablePartitionedByDayBeforehand_KeepsItAndStaysIdempotent()
    {
        // The README's daily partitioning: the DBA creates the partitioned table (the primary key then includes the
        // timestamp); the sink's migration keeps it and adds what is missing.
        var cs = await ConnectionStringAsync();
        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            var ddl = PartitionedDdl
                + "CREATE TABLE cost_records_20261123 PARTITION OF cost_records FOR VALUES FROM ('2026-11-23 00:00Z') TO ('2026-11-24 00:00Z');"
                + "CREATE TABLE cost_records_20261124 PARTITION OF cost_records FOR VALUES FROM ('2026-11-24 00:00Z') TO ('2026-11-25 00:00Z');";
            await using var command = new NpgsqlCommand(ddl, connection);
            await command.ExecuteNonQueryAsync();
        }

        var batch = new[] { StoreRecords.At(StoreRecords.Day.AddHours(23), 1m), StoreRecords.At(StoreRecords.Day.AddHours(25), 2m) };
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(batch, CancellationToken.None);
            await sink.WriteAsync(batch, CancellationToken.None);
        }

        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM cost_records_20261123;"));
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM cost_records_20261124;"));
            // The migration's covering index reached every partition.
            Assert.Equal(true, await ScalarAsync(connection, "SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'cost_records_20261124' AND indexdef LIKE '%INCLUDE%');"));
            Assert.Equal("p", await ScalarAsync(connection, "SELECT relkind::text FROM pg_class WHERE relname = 'cost_records' AND relnamespace = current_schema()::regnamespace;"));
        }

        var days = new List<CostAggregate>();
        await foreach (var a in CreateStore().AggregateAsync(new CostAggregateQuery { From = StoreRecords.Day, To = StoreRecords.Day.AddDays(2), BucketSize = TimeSpan.FromDays(1) }))
        {
            days.Add(a);
        }

        Assert.Equal([1m, 2m], days.OrderBy(d => d.BucketStart).Select(d => d.Cost));
    }

    [Fact]
    public async Task WriteAsync_MigrationTurnedOff_LeavesTheDatabaseAlone()
    {
        var cs = await ConnectionStringAsync();
        await using var sink = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { MigrateSchema = false }, NullLoggerFactory.Instance);

        var error = await Assert.ThrowsAsync<PostgresException>(() => sink.WriteAsync([StoreRecords.Full()], CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        Assert.Equal(false, await ScalarAsync(connection, "SELECT to_regclass('llmcost_schema_version') IS NOT NULL;"));
    }

    [Fact]
    public async Task Store_DatabaseWithoutTheSchema_SaysSo()
    {
        var store = new PostgreSqlCostRecordStore(await ConnectionStringAsync());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in store.AggregateAsync(new CostAggregateQuery { From = StoreRecords.Day, To = StoreRecords.Day.AddDays(1) }))
            {
            }
        });

        Assert.Contains("no LlmCost schema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_ServerGoneThenBack_FailsTheAttemptAndTheRetryWrites()
    {
        var cs = await ConnectionStringAsync();
        await using var sink = new PostgreSqlCostSink(new NpgsqlConnectionStringBuilder(cs) { ApplicationName = "llmcost-victim" }.ConnectionString);
        await sink.WriteAsync([StoreRecords.At(StoreRecords.Day, 1m)], CancellationToken.None);

        // The sink's open connection is killed (a failover, an idle timeout): that attempt fails, the next reconnects.
        await using (var admin = new NpgsqlConnection(cs))
        {
            await admin.OpenAsync();
            Assert.Equal(true, await ScalarAsync(admin, "SELECT bool_and(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'llmcost-victim';"));
            for (var i = 0; i < 500 && await ScalarAsync(admin, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'llmcost-victim';") is not 0L; i++)
            {
                await Task.Delay(10); // until the backend has exited (bounded)
            }
        }

        var batch = new[] { StoreRecords.At(StoreRecords.Day.AddMinutes(1), 2m) };
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => sink.WriteAsync(batch, CancellationToken.None));
        await sink.WriteAsync(batch, CancellationToken.None); // the pipeline's retry

        var totals = new List<CostAggregate>();
        await foreach (var a in CreateStore().AggregateAsync(new CostAggregateQuery { From = StoreRecords.Day, To = StoreRecords.Day.AddDays(1), BucketSize = TimeSpan.FromDays(1) }))
        {
            totals.Add(a);
        }

        Assert.Equal(3m, Assert.Single(totals).Cost);
    }

    /// <summary>The partitioned table of the README's "Partitioning by day" (the columns of schema version 1).</summary>
    private const string PartitionedDdl = """
        CREATE TABLE cost_records (
            id uuid NOT NULL,
            "timestamp" timestamptz NOT NULL,
            provider text NOT NULL,
            operation text NOT NULL,
            model text,
            request_model text,
            service_tier text,
            region text,
            streaming boolean NOT NULL,
            status_code integer,
            error_type text,
            duration_ms double precision NOT NULL,
            feature text,
            team text,
            customer text,
            environment text,
            input_tokens bigint NOT NULL,
            cached_input_tokens bigint NOT NULL,
            cache_write_input_tokens bigint NOT NULL,
            cache_write_1h_input_tokens bigint NOT NULL,
            output_tokens bigint NOT NULL,
            reasoning_tokens bigint NOT NULL,
            web_search_requests bigint NOT NULL,
            usage_source text NOT NULL,
            cost_total numeric,
            price_table_version text,
            price_entry text,
            price_effective_from date,
            record json NOT NULL,
            PRIMARY KEY (id, "timestamp")
        ) PARTITION BY RANGE ("timestamp");
        """;

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
