using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LlmCost.Sdk.Storage.Tests.PostgreSql;

/// <summary>
/// Schema version 2 on a real PostgreSQL: the v1→v2 migration of a database with rows, and the 15-minute rollup the
/// triggers keep, checked against sums computed from the records themselves.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlMigrationAndRollupTests(PostgresServer server)
{
    private static readonly CostDimension[] AllDimensions =
        [CostDimension.Provider, CostDimension.Model, CostDimension.Feature, CostDimension.Team, CostDimension.Customer, CostDimension.Environment];

    [Fact]
    public async Task Migrate_Version1DatabaseWithRows_BecomesVersion6WithRowsIntactAndTheRollupBackfilled()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(cs))
        {
            // A database as version 1 of the package left it: its tables, and its version row.
            await connection.OpenAsync();
            await ExecuteAsync(connection, PostgreSqlSchema.Version1 + "CREATE TABLE llmcost_schema_version (version integer NOT NULL); INSERT INTO llmcost_schema_version VALUES (1);");
        }

        var old = Mixed(StoreRecords.Day, 300).Append(StoreRecords.Full()).ToArray();
        await using (var v1Writer = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { MigrateSchema = false }, NullLoggerFactory.Instance))
        {
            await v1Writer.WriteAsync(old, CancellationToken.None); // v1 layout, no rollup yet
        }

        var before = await ReadAllAsync(cs);
        Assert.Equal(1, await VersionAsync(cs));

        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync([StoreRecords.At(StoreRecords.Day.AddHours(30), 5m, feature: "after")], CancellationToken.None);
        }

        Assert.Equal(PostgreSqlSchema.CurrentVersion, await VersionAsync(cs));
        var after = await ReadAllAsync(cs);
        Assert.Equal(before.Count + 1, after.Count);
        Assert.Equal(before.Select(r => r.ToJson()), after.Where(r => r.Tags.Feature != "after").Select(r => r.ToJson())); // every v1 row, field for field
        await AssertRollupMatchesRecordsAsync(cs);
        Assert.Equal(old.Sum(r => r.Cost?.Total ?? 0m) + 5m, (await AggregateAsync(cs, [], TimeSpan.FromDays(7))).Sum(a => a.Cost));
    }

    [Fact]
    public async Task Migrate_ServerNewerSchema_Throws()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "CREATE TABLE llmcost_schema_version (version integer NOT NULL); INSERT INTO llmcost_schema_version VALUES (7);");
        }

        await using var sink = new PostgreSqlCostSink(cs);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteAsync([StoreRecords.At(StoreRecords.Day, 1m)], CancellationToken.None));

        Assert.Contains("schema version 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollup_RetriedAndOverlappingBatches_AddOnlyTheRowsInserted()
    {
        var cs = await server.CreateDatabaseAsync();
        var batch = Mixed(StoreRecords.Day, 200).ToArray();
        var overlapping = batch.Skip(150).Concat(Mixed(StoreRecords.Day.AddHours(1), 100)).ToArray();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(batch, CancellationToken.None);
            await sink.WriteAsync(batch, CancellationToken.None);        // retried whole: the fast path's COPY stops, nothing added
            await sink.WriteAsync(overlapping, CancellationToken.None);  // 50 known ids, 100 new: only the 100 are added
        }

        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            Assert.Equal(300L, await ScalarAsync(connection, "SELECT count(*) FROM cost_records;"));
            Assert.Equal(300L, await RolledUpCallsAsync(connection));
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Rollup_AppendOnly_CompactionMergesEachBucketAndGroupIntoOneRowWithTheSumsExact()
    {
        var cs = await server.CreateDatabaseAsync();
        var all = Mixed(StoreRecords.Day, 600).ToArray();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            for (var i = 0; i < 6; i++)
            {
                // Interleaved batches: every batch touches the same buckets and groups, so the appended rows repeat keys.
                await sink.WriteAsync(all.Where((_, n) => n % 6 == i).ToArray(), CancellationToken.None);
            }
        }

        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "UPDATE cost_records SET cost_total = cost_total * 2, feature = 'moved' WHERE feature = 'f1';");
            await ExecuteAsync(connection, "DELETE FROM cost_records WHERE team = 't0' AND feature = 'f2';");
            // A rollup row per bucket and group of the five dimensions without the customer, and per bucket and customer.
            const string Groups = """
                SELECT (SELECT count(*) FROM (SELECT DISTINCT date_bin('15 minutes', "timestamp", TIMESTAMPTZ '1970-01-01 00:00:00+00'),
                    provider, coalesce(model, request_model), feature, team, environment FROM cost_records) AS g)
                    + (SELECT count(*) FROM (SELECT DISTINCT date_bin('15 minutes', "timestamp", TIMESTAMPTZ '1970-01-01 00:00:00+00'),
                    customer FROM cost_records) AS c);
                """;
            var groups = (long)(await ScalarAsync(connection, Groups))!;
            var rows = (long)(await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups;"))!;
            Assert.True(rows > groups, $"{rows} appended rows for {groups} groups");
            await AssertRollupMatchesRecordsAsync(cs);

            // One bucket first, then all: each bucket and group becomes one row, and no group whose records are all gone.
            var first = (DateTime)(await ScalarAsync(connection, "SELECT min(bucket) FROM cost_rollups;"))!;
            await using (var one = new NpgsqlCommand("SELECT llmcost_compact_rollups(ARRAY[@bucket]);", connection))
            {
                one.Parameters.AddWithValue("bucket", first);
                await one.ExecuteScalarAsync();
            }

            Assert.Equal(1L, await ScalarAsync(connection, "SELECT max(n) FROM (SELECT count(*) AS n FROM cost_rollups WHERE bucket = (SELECT min(bucket) FROM cost_rollups) GROUP BY grain, provider, model, feature, team, customer, environment) AS c;"));
            Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE bucket = (SELECT min(bucket) FROM cost_rollups) AND grain = 0;")); // the triggers' rows of all six dimensions, split into the two grains
            await AssertRollupMatchesRecordsAsync(cs);
            Assert.True((long)(await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups;"))! > groups); // groups whose records were all deleted keep their rows
            Assert.Equal(groups, await ScalarAsync(connection, "SELECT llmcost_compact_rollups();")); // every group that still has records, written once
            Assert.Equal(groups, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups;"));
            Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE grain = 0;"));
            await AssertRollupMatchesRecordsAsync(cs);
            Assert.Equal(groups, await ScalarAsync(connection, "SELECT llmcost_compact_rollups();")); // compact already: the same rows again
            Assert.Equal(groups, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups;"));
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Rollup_CompactionWhileSinksWrite_CountsEveryRecordOnce()
    {
        var cs = await server.CreateDatabaseAsync();
        var batches = Enumerable.Range(0, 24).Select(n => Mixed(StoreRecords.Day.AddSeconds(n), 100).Select(r => r with { Id = Guid.CreateVersion7() }).ToArray()).ToArray();
        await using var first = new PostgreSqlCostSink(cs);
        await using var second = new PostgreSqlCostSink(cs);
        await first.WriteAsync(batches[0], CancellationToken.None); // the schema, before the compactions start
        var writers = Task.WhenAll(
            Task.Run(async () => { foreach (var b in batches.Skip(1).Where((_, i) => i % 2 == 0)) { await first.WriteAsync(b, CancellationToken.None); } }),
            Task.Run(async () => { foreach (var b in batches.Skip(1).Where((_, i) => i % 2 == 1)) { await second.WriteAsync(b, CancellationToken.None); } }));
        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            while (!writers.IsCompleted)
            {
                await ScalarAsync(connection, "SELECT llmcost_compact_rollups();");
            }

            await writers;
            Assert.Equal(2400L, await RolledUpCallsAsync(connection));
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public void AppendedRollups_CompactsOnlyWhenTheKeysRepeat()
    {
        var repeating = new PostgreSqlCostSink.AppendedRollups();
        var bucket = new DateTime(2026, 11, 23, 0, 0, 0, DateTimeKind.Utc);
        var keys = Enumerable.Range(0, 512).Select(i => new RollupKey(bucket.AddMinutes(15 * (i % 2)), PostgreSqlSchema.WithoutCustomerGrain, "openai", "gpt-4o", "f" + (i % 100), null, null, null)).ToArray();
        DateTime[]? buckets = null;
        var parts = 0;
        while (buckets is null && parts < 1000)
        {
            buckets = repeating.Add(keys, 512);
            parts++;
        }

        Assert.Equal(PostgreSqlCostSink.AppendedRollups.DecideAfterRows / keys.Length, parts);
        Assert.Equal([bucket, bucket.AddMinutes(15)], buckets!);

        var unique = new PostgreSqlCostSink.AppendedRollups();
        var n = 0;
        for (var part = 0; part < 2 * PostgreSqlCostSink.AppendedRollups.DecideAfterRows / 512; part++)
        {
            Assert.Null(unique.Add(Enumerable.Range(0, 512).Select(_ => new RollupKey(bucket, PostgreSqlSchema.CustomerGrain, null, null, null, null, "c" + n++, null)).ToArray(), 512));
        }

        // Each record its own group: more groups than half the records, reported as sparse; the repeating keys are not.
        Assert.Equal((PostgreSqlCostSink.AppendedRollups.DecideAfterRows, PostgreSqlCostSink.AppendedRollups.DecideAfterRows), unique.Sparse!.Value);
        Assert.Null(repeating.Sparse);
    }

    [Fact]
    public async Task Rollup_UpdatesAndDeletesOfRecords_MoveTheSums()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(Mixed(StoreRecords.Day, 120).ToArray(), CancellationToken.None);
        }

        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "UPDATE cost_records SET cost_total = cost_total * 2, feature = 'moved' WHERE feature = 'f1';");
            await ExecuteAsync(connection, "UPDATE cost_records SET cost_total = NULL WHERE feature = 'f2';");
            await ExecuteAsync(connection, "DELETE FROM cost_records WHERE team = 't0';");
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Rollup_RangeOffTheQuarterHour_ReadsTheRecordsAndAgrees()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync([StoreRecords.At(StoreRecords.Day.AddMinutes(5), 1m), StoreRecords.At(StoreRecords.Day.AddMinutes(10), 2m)], CancellationToken.None);
        }

        var query = new CostAggregateQuery { From = StoreRecords.Day.AddMinutes(7), To = StoreRecords.Day.AddHours(1) };
        Assert.False(PostgreSqlCostRecordStore.OnRollupBuckets(query));
        var result = new List<CostAggregate>();
        await foreach (var a in new PostgreSqlCostRecordStore(cs).AggregateAsync(query))
        {
            result.Add(a);
        }

        Assert.Equal(2m, Assert.Single(result).Cost); // the record at :05 is before the range although its bucket (:00) is not
    }

    [Fact]
    public async Task Rollup_FourWritersSharingBucketsAndGroups_NoDeadlockAndExactSums()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var first = new PostgreSqlCostSink(cs))
        {
            await first.WriteAsync([StoreRecords.At(StoreRecords.Day, 1m)], CancellationToken.None); // migrate once, before the race
        }

        var sinks = Enumerable.Range(0, 4).Select(_ => new PostgreSqlCostSink(cs)).ToList();
        await Task.WhenAll(sinks.Select((sink, n) => Task.Run(async () =>
        {
            for (var round = 0; round < 5; round++)
            {
                // Every writer's batch covers the same buckets and groups, in a different order.
                var batch = Mixed(StoreRecords.Day, 100).ToArray();
                await sink.WriteAsync(n % 2 == 0 ? batch : [.. Enumerable.Reverse(batch)], CancellationToken.None);
            }
        })));
        foreach (var sink in sinks)
        {
            await sink.DisposeAsync();
        }

        await AssertRollupMatchesRecordsAsync(cs);
        Assert.Equal(2001L, (await AggregateAsync(cs, [], TimeSpan.FromDays(1))).Sum(a => a.Calls));
    }

    [Fact]
    public async Task Migrate_Version2DatabaseWithRows_BecomesVersion6_TheWriterKeepsTheRollupWithoutTheInsertTrigger()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(cs))
        {
            // A database as version 2 of the package left it: the rollup kept by the insert trigger.
            await connection.OpenAsync();
            await ExecuteAsync(connection, PostgreSqlSchema.Version1 + PostgreSqlSchema.Version2 + "CREATE TABLE llmcost_schema_version (version integer NOT NULL); INSERT INTO llmcost_schema_version VALUES (2);");
        }

        var old = Mixed(StoreRecords.Day, 300).ToArray();
        await using (var v2Writer = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { MigrateSchema = false }, NullLoggerFactory.Instance))
        {
            await v2Writer.WriteAsync(old, CancellationToken.None); // a v2 schema: the trigger adds the rows, the sink does not
        }

        await AssertRollupMatchesRecordsAsync(cs);
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(Mixed(StoreRecords.Day.AddMinutes(30), 300).ToArray(), CancellationToken.None);
            await sink.WriteAsync(old, CancellationToken.None); // all stored: nothing added
        }

        Assert.Equal(PostgreSqlSchema.CurrentVersion, await VersionAsync(cs));
        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            Assert.Equal(600L, await ScalarAsync(connection, "SELECT count(*) FROM cost_records;"));
            Assert.Equal(600L, await RolledUpCallsAsync(connection));
            Assert.Equal(true, await ScalarAsync(connection, "SELECT complete FROM llmcost_rollup_status;"));
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Migrate_Version3DatabaseWithRows_BecomesVersion6_RowsAndTheirJsonIntact()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(cs))
        {
            // A database as version 3 of the package left it: the record's JSON in a json column.
            await connection.OpenAsync();
            await ExecuteAsync(connection, PostgreSqlSchema.Version1 + PostgreSqlSchema.Version2 + PostgreSqlSchema.Version3 + "CREATE TABLE llmcost_schema_version (version integer NOT NULL); INSERT INTO llmcost_schema_version VALUES (3);");
        }

        var old = Mixed(StoreRecords.Day, 300).Append(StoreRecords.Full()).ToArray();
        await using (var v3Writer = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { MigrateSchema = false }, NullLoggerFactory.Instance))
        {
            await v3Writer.WriteAsync(old, CancellationToken.None);
        }

        var before = await ReadAllAsync(cs);
        Assert.Equal(3, await VersionAsync(cs));
        Assert.Equal("json", await ColumnTypeAsync(cs));

        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(Mixed(StoreRecords.Day.AddMinutes(30), 300).ToArray(), CancellationToken.None);
            await sink.WriteAsync(old, CancellationToken.None); // all stored before the migration: nothing added
        }

        Assert.Equal(PostgreSqlSchema.CurrentVersion, await VersionAsync(cs));
        Assert.Null(await ColumnTypeAsync(cs)); // no record column from version 5: extra holds what no column does
        Assert.Equal("text", await ColumnTypeAsync(cs, "extra"));
        var after = await ReadAllAsync(cs);
        Assert.Equal(601, after.Count);
        var ids = old.Select(r => r.Id).ToHashSet();
        Assert.Equal(before.Select(r => r.ToJson()), after.Where(r => ids.Contains(r.Id)).Select(r => r.ToJson())); // every v3 row, field for field
        await using (var connection = new NpgsqlConnection(cs))
        {
            // The documented query on a custom tag, through the cast of extra, on rows from before and after the migration.
            await connection.OpenAsync();
            Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM cost_records WHERE extra::json->'tags' IS NOT NULL;"));
            Assert.Equal("b", await ScalarAsync(connection, "SELECT extra::json->'tags'->>'experiment' FROM cost_records WHERE extra::json->'tags'->>'experiment' IS NOT NULL;"));
            Assert.Equal(601L, await RolledUpCallsAsync(connection));
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Migrate_Version5DatabaseWithRows_BecomesVersion6_OldRollupRowsStillCountAndCompactIntoTheTwoGrains()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(cs))
        {
            // A database as version 5 of the package left it: rollup rows of all six dimensions, appended.
            await connection.OpenAsync();
            await ExecuteAsync(connection, PostgreSqlSchema.Version1 + PostgreSqlSchema.Version2 + PostgreSqlSchema.Version3 + PostgreSqlSchema.Version4 + PostgreSqlSchema.Version5 + "CREATE TABLE llmcost_schema_version (version integer NOT NULL); INSERT INTO llmcost_schema_version VALUES (5);");
        }

        var old = Mixed(StoreRecords.Day, 300).Concat(StoreRecords.EveryField()).ToArray();
        await using (var v5Writer = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { MigrateSchema = false }, NullLoggerFactory.Instance))
        {
            await v5Writer.WriteAsync(old[..150], CancellationToken.None); // the v5 layout: no grain column
            await v5Writer.WriteAsync(old[150..], CancellationToken.None);
        }

        Assert.Equal(5, await VersionAsync(cs));
        await AssertRollupMatchesRecordsAsync(cs);
        var before = await ReadAllAsync(cs);

        var later = Mixed(StoreRecords.Day.AddMinutes(20), 200).ToArray();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(later, CancellationToken.None); // the same buckets and groups as the v5 rows, at the new grains
            await sink.WriteAsync(old, CancellationToken.None);   // all stored: nothing added
        }

        Assert.Equal(6, await VersionAsync(cs));
        var after = await ReadAllAsync(cs);
        Assert.Equal(before.Select(r => r.ToJson()), after.Where(r => old.Any(o => o.Id == r.Id)).Select(r => r.ToJson()));
        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            Assert.True((long)(await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE grain = 0;"))! > 0); // kept as they were
            Assert.True((long)(await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE grain = 1;"))! > 0);
            Assert.True((long)(await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE grain = 2;"))! > 0);
            Assert.Equal(old.Length + 200L, await RolledUpCallsAsync(connection));
            await AssertRollupMatchesRecordsAsync(cs); // grain 0 rows and the new grains read together

            await ScalarAsync(connection, "SELECT llmcost_compact_rollups();");
            Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE grain = 0;"));
            Assert.Equal(old.Length + 200L, await RolledUpCallsAsync(connection));
            Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE (grain = 1 AND (provider IS NULL OR customer IS NOT NULL)) OR (grain = 2 AND coalesce(provider, model, feature, team, environment) IS NOT NULL);"));
        }

        await AssertRollupMatchesRecordsAsync(cs);
        await using (var connection = new NpgsqlConnection(cs))
        {
            // Rebuilt from the records: the two grains only.
            await connection.OpenAsync();
            await ScalarAsync(connection, "SELECT llmcost_rebuild_rollups();");
            Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM cost_rollups WHERE grain = 0;"));
            Assert.Equal(old.Length + 200L, await RolledUpCallsAsync(connection));
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Migrate_Version4DatabaseWithRows_BecomesVersion6_EveryFieldReadBackIdentical()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(cs))
        {
            // A database as version 4 of the package left it: the record's whole JSON in a text column.
            await connection.OpenAsync();
            await ExecuteAsync(connection, PostgreSqlSchema.Version1 + PostgreSqlSchema.Version2 + PostgreSqlSchema.Version3 + PostgreSqlSchema.Version4 + "CREATE TABLE llmcost_schema_version (version integer NOT NULL); INSERT INTO llmcost_schema_version VALUES (4);");
        }

        var rich = StoreRecords.EveryField().ToArray();
        var old = Mixed(StoreRecords.Day, 300).Concat(rich).ToArray();
        await using (var v4Writer = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { MigrateSchema = false }, NullLoggerFactory.Instance))
        {
            await v4Writer.WriteAsync(old, CancellationToken.None); // the v4 layout: the sink writes the record's JSON
        }

        Assert.Equal(4, await VersionAsync(cs));
        Assert.Equal("text", await ColumnTypeAsync(cs));
        var before = await ReadAllAsync(cs);
        Assert.Equal(old.Length, before.Count);

        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync([StoreRecords.At(StoreRecords.Day.AddHours(30), 5m, feature: "after")], CancellationToken.None);
            await sink.WriteAsync(old, CancellationToken.None); // all stored before the migration: nothing added
        }

        Assert.Equal(PostgreSqlSchema.CurrentVersion, await VersionAsync(cs));
        Assert.Null(await ColumnTypeAsync(cs));
        var after = await ReadAllAsync(cs);
        Assert.Equal(old.Length + 1, after.Count);
        var ids = old.Select(r => r.Id).ToHashSet();
        Assert.Equal(before.Select(r => r.ToJson()), after.Where(r => ids.Contains(r.Id)).Select(r => r.ToJson())); // every v4 row, field for field
        var byId = after.ToDictionary(r => r.Id);
        Assert.All(rich, r => Assert.Equal(r.ToJson(), byId[r.Id].ToJson()));
        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            Assert.Equal("b,c", await ScalarAsync(connection, "SELECT string_agg(extra::json->'tags'->>'experiment', ',' ORDER BY \"timestamp\") FROM cost_records WHERE extra::json->'tags'->>'experiment' IS NOT NULL;"));
            // A record whose every field has a column stores no extra (the converted rows as the sink's own).
            var withoutExtra = old.Count(r => !RecordExtra.HasExtra(r));
            Assert.InRange(withoutExtra, 20, old.Length - rich.Length - 1);
            Assert.Equal((long)withoutExtra, await ScalarAsync(connection, "SELECT count(*) FROM cost_records WHERE extra IS NULL;"));
            Assert.Equal(old.Length + 1L, await RolledUpCallsAsync(connection));
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Version5_EveryField_ReadBackAsWritten()
    {
        var cs = await server.CreateDatabaseAsync();
        var rich = StoreRecords.EveryField().ToArray();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(rich, CancellationToken.None);
        }

        var after = (await ReadAllAsync(cs)).ToDictionary(r => r.Id);
        Assert.Equal(rich.Length, after.Count);
        Assert.All(rich, r => Assert.Equal(r.ToJson(), after[r.Id].ToJson()));
    }

    [Fact]
    public async Task Rollup_BatchSplitOverConnections_OnePartRetriedThroughStaging_AddsEachRecordOnce()
    {
        var cs = await server.CreateDatabaseAsync();
        var batch = Mixed(StoreRecords.Day, 512).ToArray();
        var options = new PostgreSqlCostSinkOptions { Connections = 4 };
        await using (var sink = new PostgreSqlCostSink(cs, options, NullLoggerFactory.Instance))
        {
            await sink.WriteAsync(batch[200..260], CancellationToken.None); // one part of the batch below will find stored ids
            await sink.WriteAsync(batch, CancellationToken.None);
        }

        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            Assert.Equal(512L, await ScalarAsync(connection, "SELECT count(*) FROM cost_records;"));
            Assert.Equal(512L, await RolledUpCallsAsync(connection));
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task WriteAsync_OnePartFails_ThrowsAndTheRetryWritesTheRestOnce()
    {
        var cs = await server.CreateDatabaseAsync();
        await using var sink = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { Connections = 4 }, NullLoggerFactory.Instance);
        await sink.WriteAsync([StoreRecords.At(StoreRecords.Day.AddDays(1), 1m)], CancellationToken.None); // the schema
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await ExecuteAsync(connection, "ALTER TABLE cost_records ADD CONSTRAINT test_refuses_bad CHECK (feature IS DISTINCT FROM 'bad');");

        // Four parts of 128: the third holds a record the table refuses, so it fails and the others commit.
        var batch = Mixed(StoreRecords.Day, 512).Select((r, i) => i == 300 ? r with { Tags = new LlmCostTags(r.Tags) { Feature = "bad" } } : r).ToArray();
        Assert.Equal(4, PostgreSqlCostSink.PartCount(batch.Length, 4));
        var error = await Assert.ThrowsAsync<PostgresException>(() => sink.WriteAsync(batch, CancellationToken.None));
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        Assert.Equal(1L + 384, await ScalarAsync(connection, "SELECT count(*) FROM cost_records;"));

        await ExecuteAsync(connection, "ALTER TABLE cost_records DROP CONSTRAINT test_refuses_bad;");
        await sink.WriteAsync(batch, CancellationToken.None); // the pipeline's retry: three parts stored, one new

        Assert.Equal(513L, await ScalarAsync(connection, "SELECT count(*) FROM cost_records;"));
        Assert.Equal(513L, await RolledUpCallsAsync(connection));
        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Rollup_Off_MarksItIncompleteAndTheStoreReadsTheRecords_RebuildRestoresIt()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(Mixed(StoreRecords.Day, 100).ToArray(), CancellationToken.None);
        }

        await using (var sink = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { Rollup = false }, NullLoggerFactory.Instance))
        {
            await sink.WriteAsync(Mixed(StoreRecords.Day.AddHours(2), 200).ToArray(), CancellationToken.None);
            await sink.WriteAsync([StoreRecords.At(StoreRecords.Day.AddHours(1), null)], CancellationToken.None);
        }

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        Assert.Equal(false, await ScalarAsync(connection, "SELECT complete FROM llmcost_rollup_status;"));
        Assert.Equal(100L, await RolledUpCallsAsync(connection)); // not written

        // The store reads the records: every call is there, grouped or not.
        Assert.Equal(301L, (await AggregateAsync(cs, [], TimeSpan.FromDays(1))).Sum(a => a.Calls));
        foreach (var (groupBy, bucket) in new (CostDimension[], TimeSpan)[] { (AllDimensions, CostAggregateQuery.DefaultBucketSize), ([CostDimension.Feature], TimeSpan.FromDays(1)) })
        {
            Assert.Equal(await AggregateWithSqlAsync(cs, groupBy, bucket, AggregateSource.Records), await AggregateDescribedAsync(cs, groupBy, bucket));
        }

        Assert.Equal(true, await ScalarAsync(connection, "SELECT llmcost_rebuild_rollups() > 0;"));
        Assert.Equal(true, await ScalarAsync(connection, "SELECT complete FROM llmcost_rollup_status;"));
        Assert.Equal(301L, await RolledUpCallsAsync(connection));
        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Rollup_WriterAndSqlAgreeOnBucketsAtTheirEdges()
    {
        var cs = await server.CreateDatabaseAsync();
        var edges = new[] { 0, 1, 899_999, 900_000, 900_001 }
            .Select(ms => StoreRecords.At(StoreRecords.Day.AddMilliseconds(ms), 1m))
            .Append(StoreRecords.At(new DateTimeOffset(2026, 11, 23, 1, 14, 59, 999, TimeSpan.FromHours(1)).AddTicks(9999), 2m)) // 00:14:59.9999999Z
            .Append(StoreRecords.At(new DateTimeOffset(1969, 12, 31, 23, 50, 0, TimeSpan.Zero), 3m))
            .ToArray();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(edges, CancellationToken.None);
        }

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        foreach (var grain in new[] { PostgreSqlSchema.WithoutCustomerGrain, PostgreSqlSchema.CustomerGrain })
        {
            Assert.Equal(0L, await ScalarAsync(connection, $"""
                SELECT count(*) FROM (
                    SELECT date_bin('15 minutes', "timestamp", TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket, count(*)::bigint AS calls, sum(cost_total) AS cost FROM cost_records GROUP BY 1
                    EXCEPT SELECT bucket, calls, cost FROM cost_rollups WHERE grain = {grain}) AS differing;
                """));
            Assert.Equal(3L, await ScalarAsync(connection, $"SELECT count(*) FROM cost_rollups WHERE grain = {grain};")); // 00:00, 00:15 and 1969-12-31 23:45
        }
    }

    [Fact]
    public async Task Rollup_RebuiltWhileWritersWrite_NoDeadlockAndExactSums()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var first = new PostgreSqlCostSink(cs))
        {
            await first.WriteAsync([StoreRecords.At(StoreRecords.Day, 1m)], CancellationToken.None); // migrate once, before the race
        }

        var withRollup = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { Connections = 2 }, NullLoggerFactory.Instance);
        var withoutRollup = new PostgreSqlCostSink(cs, new PostgreSqlCostSinkOptions { Rollup = false }, NullLoggerFactory.Instance);
        var writers = new[] { withRollup, withoutRollup }.Select((sink, n) => Task.Run(async () =>
        {
            for (var round = 0; round < 6; round++)
            {
                await sink.WriteAsync(Mixed(StoreRecords.Day.AddMinutes((n * 600) + (round * 60)), 200).ToArray(), CancellationToken.None);
            }
        })).ToList();
        var rebuilds = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync();
            for (var i = 0; i < 4; i++)
            {
                await ScalarAsync(connection, "SELECT llmcost_rebuild_rollups();");
            }
        });
        await Task.WhenAll([.. writers, rebuilds]);
        await withRollup.DisposeAsync();
        await withoutRollup.DisposeAsync();

        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            await ScalarAsync(connection, "SELECT llmcost_rebuild_rollups();"); // after the last sink without the rollup
            Assert.Equal(true, await ScalarAsync(connection, "SELECT complete FROM llmcost_rollup_status;"));
            Assert.Equal(2401L, await RolledUpCallsAsync(connection));
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    [Fact]
    public async Task Rollup_RowsInsertedByOtherWriters_AreAddedByTheInsertTrigger_TheSinksRowsOnce()
    {
        var cs = await server.CreateDatabaseAsync();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(Mixed(StoreRecords.Day, 200).ToArray(), CancellationToken.None);
        }

        await using (var connection = new NpgsqlConnection(cs))
        {
            // A hand-written import (and an instance still on version 2 during a rolling upgrade, which writes the same
            // way): its session has not turned the setting on, so the trigger adds its rows.
            await connection.OpenAsync();
            await ExecuteAsync(connection, "INSERT INTO cost_records SELECT gen_random_uuid(), \"timestamp\" + interval '1 day', provider, operation, model, request_model, service_tier, region, streaming, status_code, error_type, duration_ms, 'imported', team, customer, environment, input_tokens, cached_input_tokens, cache_write_input_tokens, cache_write_1h_input_tokens, output_tokens, reasoning_tokens, web_search_requests, usage_source, cost_total, price_table_version, price_entry, price_effective_from, extra FROM cost_records;");
            Assert.Equal(400L, await RolledUpCallsAsync(connection));
        }

        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync(Mixed(StoreRecords.Day.AddHours(3), 100).ToArray(), CancellationToken.None);
        }

        await using (var connection = new NpgsqlConnection(cs))
        {
            await connection.OpenAsync();
            Assert.Equal(500L, await RolledUpCallsAsync(connection)); // the sink's rows once, not twice
        }

        await AssertRollupMatchesRecordsAsync(cs);
    }

    /// <summary>Records over a few hours with every dimension varying, some unpriced and some without a model.</summary>
    private static IEnumerable<CostRecord> Mixed(DateTimeOffset start, int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return StoreRecords.At(
                start.AddSeconds(i * 97),
                i % 11 == 0 ? null : 0.0001m * (i + 1),
                feature: i % 7 == 0 ? null : "f" + (i % 3),
                team: "t" + (i % 2),
                model: i % 13 == 0 ? null : "gpt-4o",
                provider: i % 5 == 0 ? "anthropic" : "openai",
                requestModel: "requested-" + (i % 2),
                input: 100 + i,
                cached: i % 4,
                output: 10 + (i % 9),
                customer: i % 3 == 0 ? null : "c" + (i % 4),
                environment: i % 6 == 0 ? "staging" : "production");
        }
    }

    /// <summary>
    /// The rollup's answer equals the sums computed from the records: for the five dimensions without the customer, for
    /// the customer alone and for none (read from the rollup), for all six at once (the store reads the records), and for
    /// several groupings in one query, the customer's among them (the store's two-part read of the rollup).
    /// </summary>
    private static async Task AssertRollupMatchesRecordsAsync(string cs)
    {
        // Before version 6 every rollup row keeps all six dimensions, and the rollup answers all six at once.
        var grained = await VersionAsync(cs) >= PostgreSqlSchema.GrainVersion;
        var rollup = grained ? AggregateSource.GrainedRollup : AggregateSource.Rollup;
        if (!grained)
        {
            Assert.Equal(await AggregateWithSqlAsync(cs, AllDimensions, CostAggregateQuery.DefaultBucketSize, AggregateSource.Records), await AggregateWithSqlAsync(cs, AllDimensions, CostAggregateQuery.DefaultBucketSize, rollup));
        }

        CostDimension[] withoutCustomer = [.. AllDimensions.Where(d => d != CostDimension.Customer)];
        foreach (var (groupBy, bucket) in new (CostDimension[], TimeSpan)[]
        {
            (withoutCustomer, CostAggregateQuery.DefaultBucketSize), ([CostDimension.Customer], CostAggregateQuery.DefaultBucketSize),
            ([], TimeSpan.FromHours(1)), ([CostDimension.Feature], TimeSpan.FromDays(1)),
        })
        {
            var fromRecords = await AggregateWithSqlAsync(cs, groupBy, bucket, AggregateSource.Records);
            Assert.NotEmpty(fromRecords);
            Assert.Equal(fromRecords, await AggregateWithSqlAsync(cs, groupBy, bucket, rollup));
            Assert.Equal(fromRecords, await AggregateDescribedAsync(cs, groupBy, bucket)); // the store, whichever it reads
        }

        Assert.Equal(await AggregateWithSqlAsync(cs, AllDimensions, CostAggregateQuery.DefaultBucketSize, AggregateSource.Records), await AggregateDescribedAsync(cs, AllDimensions, CostAggregateQuery.DefaultBucketSize));

        CostDimension[][][] setLists =
        [
            [[CostDimension.Feature], [CostDimension.Customer], [CostDimension.Provider, CostDimension.Model], [], [CostDimension.Team]],
            [[], [CostDimension.Customer]],          // the customer's part beside a part of no dimension
            [[CostDimension.Customer], [CostDimension.Environment]],
        ];
        foreach (var sets in setLists)
        {
            var query = new CostAggregateQuery { From = StoreRecords.Day.AddDays(-1), To = StoreRecords.Day.AddDays(3), GroupingSets = sets, BucketSize = TimeSpan.FromDays(1) };
            var bySet = sets.Select(_ => new List<string>()).ToArray();
            await foreach (var a in new PostgreSqlCostRecordStore(cs).AggregateAsync(query))
            {
                bySet[a.GroupingSet].Add(Describe(a));
            }

            for (var i = 0; i < sets.Length; i++)
            {
                Assert.Equal(await AggregateWithSqlAsync(cs, sets[i], TimeSpan.FromDays(1), AggregateSource.Records), bySet[i].Order(StringComparer.Ordinal));
            }
        }
    }

    private static async Task<List<string>> AggregateDescribedAsync(string cs, CostDimension[] groupBy, TimeSpan bucket) =>
        [.. (await AggregateAsync(cs, groupBy, bucket)).Select(Describe).Order(StringComparer.Ordinal)];

    private static async Task<List<CostAggregate>> AggregateAsync(string cs, CostDimension[] groupBy, TimeSpan bucket)
    {
        var result = new List<CostAggregate>();
        await foreach (var a in new PostgreSqlCostRecordStore(cs).AggregateAsync(Query(groupBy, bucket)))
        {
            result.Add(a);
        }

        return result;
    }

    private static async Task<List<string>> AggregateWithSqlAsync(string cs, CostDimension[] groupBy, TimeSpan bucket, AggregateSource source)
    {
        var query = Query(groupBy, bucket);
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(PostgreSqlCostRecordStore.BuildAggregateSql(groupBy, source), connection);
        command.Parameters.AddWithValue("from", query.From.ToUniversalTime());
        command.Parameters.AddWithValue("to", query.To.ToUniversalTime());
        command.Parameters.AddWithValue("bucket", query.BucketSize);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var keys = Enumerable.Range(1, groupBy.Length).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)).ToArray();
            var c = 1 + groupBy.Length;
            rows.Add(Describe(new CostAggregate
            {
                BucketStart = reader.GetFieldValue<DateTimeOffset>(0),
                Keys = keys,
                Calls = reader.GetInt64(c),
                UnpricedCalls = reader.GetInt64(c + 1),
                InputTokens = reader.GetInt64(c + 2),
                CachedInputTokens = reader.GetInt64(c + 3),
                OutputTokens = reader.GetInt64(c + 4),
                Cost = reader.GetDecimal(c + 5),
            }));
        }

        return [.. rows.Order(StringComparer.Ordinal)];
    }

    private static CostAggregateQuery Query(CostDimension[] groupBy, TimeSpan bucket) =>
        new() { From = StoreRecords.Day.AddDays(-1), To = StoreRecords.Day.AddDays(3), GroupBy = groupBy, BucketSize = bucket };

    private static string Describe(CostAggregate a) => FormattableString.Invariant(
        $"{a.BucketStart:O}|{string.Join("|", a.Keys.Select(k => k ?? "<null>"))}|{a.Calls}|{a.UnpricedCalls}|{a.InputTokens}|{a.CachedInputTokens}|{a.OutputTokens}|{a.Cost.ToString("0.############################", System.Globalization.CultureInfo.InvariantCulture)}");

    private static async Task<List<CostRecord>> ReadAllAsync(string cs)
    {
        var records = new List<CostRecord>();
        await foreach (var r in new PostgreSqlCostRecordStore(cs).ReadRecordsAsync(DateTimeOffset.UnixEpoch, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero)))
        {
            records.Add(r);
        }

        return records;
    }

    private static async Task<string?> ColumnTypeAsync(string cs, string column = "record")
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'cost_records' AND column_name = @column;", connection);
        command.Parameters.AddWithValue("column", column);
        return (string?)await command.ExecuteScalarAsync();
    }

    private static async Task<int> VersionAsync(string cs)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        return (int)(await ScalarAsync(connection, "SELECT max(version) FROM llmcost_schema_version;"))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The calls the rollup holds, read both ways a reader reads it (grains 0 and 1 for the five dimensions without the
    /// customer, grains 0 and 2 for the customer), which must agree.
    /// </summary>
    private static async Task<long> RolledUpCallsAsync(NpgsqlConnection connection)
    {
        var withoutCustomer = (long)(await ScalarAsync(connection, $"SELECT coalesce(sum(calls), 0)::bigint FROM cost_rollups WHERE grain <> {PostgreSqlSchema.CustomerGrain};"))!;
        var byCustomer = (long)(await ScalarAsync(connection, $"SELECT coalesce(sum(calls), 0)::bigint FROM cost_rollups WHERE grain <> {PostgreSqlSchema.WithoutCustomerGrain};"))!;
        Assert.Equal(withoutCustomer, byCustomer);
        return withoutCustomer;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
