using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace LlmCost.Sdk.Storage.Tests.PostgreSql;

/// <summary>
/// The rollup's compaction in the background (schema version 6), on a real PostgreSQL: the sink asks for it without
/// waiting, disposing waits for it, and a compaction that fails is a warning that loses nothing.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlRollupCompactionTests(PostgresServer server)
{
    private static readonly DateTimeOffset Bucket = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Sink_AppendedRowsWhoseKeysRepeat_AreCompactedInTheBackground_ByTheTimeItIsDisposed()
    {
        var cs = await server.CreateDatabaseAsync();

        // 500 features in one bucket, one customer: 501 rollup rows a batch, the same keys every batch; the sink decides
        // to compact after PostgreSqlCostSink.AppendedRollups.DecideAfterRows appended rows.
        const int RowsPerBatch = 501;
        var batches = (PostgreSqlCostSink.AppendedRollups.DecideAfterRows + RowsPerBatch - 1) / RowsPerBatch;
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            for (var b = 0; b < batches; b++)
            {
                await sink.WriteAsync(Batch(b), CancellationToken.None);
            }
        }

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        Assert.Equal(500L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE grain = 1;"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE grain = 2;"));
        Assert.Equal(batches * 512L, await ScalarAsync(connection, "SELECT sum(calls)::bigint FROM cost_rollups WHERE grain = 1;"));
        Assert.Equal(batches * 512L, await ScalarAsync(connection, "SELECT sum(calls)::bigint FROM cost_rollups WHERE grain = 2;"));
        Assert.Equal(
            await ScalarAsync(connection, "SELECT sum(cost_total) FROM cost_records;"),
            await ScalarAsync(connection, "SELECT sum(cost) FROM cost_rollups WHERE grain = 1;"));
    }

    [Fact]
    public async Task Sink_SparseData_SuggestsTurningTheRollupOffOnce_DenseDataDoesNot()
    {
        var cs = await server.CreateDatabaseAsync();
        using var provider = new FakeLoggerProvider();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(provider));
        await using (var sink = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions(), loggers))
        {
            // Dense: one bucket, 500 features (the compaction test's data), one decision.
            for (var b = 0; b < 66; b++)
            {
                await sink.WriteAsync(Batch(b), CancellationToken.None);
            }

            Assert.DoesNotContain(provider.Collector.GetSnapshot(), e => e.Id.Id == 501);

            // Sparse: every record in its own 15-minute bucket, two rollup rows each; two decisions, one message.
            var n = 0;
            for (var b = 0; b < 64; b++)
            {
                await sink.WriteAsync([.. Enumerable.Range(0, 512).Select(_ => StoreRecords.At(Bucket.AddDays(1).AddMinutes(15 * n++), 0.001m, feature: "f", customer: "c"))], CancellationToken.None);
            }
        }

        var entry = Assert.Single(provider.Collector.GetSnapshot(), e => e.Id.Id == 501);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains("Rollup = false", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compactor_BucketsAskedForWhileItRuns_AreCompactedBeforeDisposeReturns()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            for (var b = 0; b < 4; b++)
            {
                await sink.WriteAsync(Batch(b), CancellationToken.None);
                await sink.WriteAsync(Batch(b, Bucket.AddMinutes(15)), CancellationToken.None);
            }
        }

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        Assert.Equal(2 * 4 * 501L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups;")); // too few rows for the sink to compact

        var compactor = new RollupCompactor(cs, NullLogger.Instance);
        compactor.Request([Bucket.UtcDateTime]);
        compactor.Request([Bucket.AddMinutes(15).UtcDateTime, Bucket.UtcDateTime]);
        await compactor.DisposeAsync();
        compactor.Request([Bucket.UtcDateTime]); // after disposal: ignored, no throw

        Assert.Equal(2 * 501L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups;"));
        Assert.Equal(2 * 4 * 512L, await ScalarAsync(connection, "SELECT sum(calls)::bigint FROM cost_rollups WHERE grain = 1;"));
        Assert.Equal(2 * 4 * 512L, await ScalarAsync(connection, "SELECT sum(calls)::bigint FROM cost_rollups WHERE grain = 2;"));
    }

    [Fact]
    public async Task Compactor_CompactionFails_LogsWarning950_ThrowsNothing_AndTheRollupStaysExact()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(Batch(0), CancellationToken.None);
            await sink.WriteAsync(Batch(1), CancellationToken.None);
        }

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await ScalarAsync(connection, """
            CREATE OR REPLACE FUNCTION llmcost_compact_rollups(buckets timestamptz[] DEFAULT NULL) RETURNS bigint LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'compaction refused by the test'; END $$;
            """);

        var logger = new FakeLogger<PostgreSqlCostSink>();
        var compactor = new RollupCompactor(cs, logger);
        compactor.Request([Bucket.UtcDateTime]);
        await compactor.DisposeAsync();

        var entry = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(950, entry.Id.Id);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("compaction refused by the test", entry.Exception!.Message, StringComparison.Ordinal);
        Assert.Equal(2 * 501L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups;"));
        Assert.Equal(1024L, await ScalarAsync(connection, "SELECT sum(calls)::bigint FROM cost_rollups WHERE grain = 1;"));
        Assert.Equal(1024L, await ScalarAsync(connection, "SELECT sum(calls)::bigint FROM cost_rollups WHERE grain = 2;"));
    }

    /// <summary>512 records in one 15-minute bucket: 500 features, one customer.</summary>
    private static CostRecord[] Batch(int n, DateTimeOffset? bucket = null) =>
        [.. Enumerable.Range(0, 512).Select(i => StoreRecords.At((bucket ?? Bucket).AddSeconds((n + i) % 900), 0.001m * (1 + (i % 7)), feature: "f" + (i % 500), customer: "c1"))];

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
