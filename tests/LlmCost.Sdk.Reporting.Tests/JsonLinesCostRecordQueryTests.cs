namespace LlmCost.Sdk.Reporting.Tests;

public sealed class JsonLinesCostRecordQueryTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"llmcost-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task AggregateAsync_SumsPerBucketAndGroup_InRange()
    {
        File.WriteAllLines(_path,
        [
            Records.At("2026-11-10T10:01:00Z", 1.5m, feature: "a").ToJson(),
            Records.At("2026-11-10T10:14:59Z", 2m, feature: "a", input: 10, output: 5).ToJson(),
            Records.At("2026-11-10T10:15:00Z", 4m, feature: "a").ToJson(),
            Records.At("2026-11-10T10:05:00Z", null, feature: null).ToJson(),
            string.Empty,
            Records.At("2026-11-11T00:00:00Z", 100m, feature: "a").ToJson(), // at To: excluded
            Records.At("2026-11-09T23:59:59Z", 100m, feature: "a").ToJson(), // before From: excluded
        ]);
        var query = new JsonLinesCostRecordQuery(_path);

        var rows = await ToListAsync(query.AggregateAsync(new CostAggregateQuery
        {
            From = new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero),
            To = new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero),
            GroupBy = [CostDimension.Feature],
        }));

        Assert.Equal(3, rows.Count);
        var first = Assert.Single(rows, r => r.Keys[0] == "a" && r.BucketStart == new DateTimeOffset(2026, 11, 10, 10, 0, 0, TimeSpan.Zero));
        Assert.Equal((2L, 0L, 1010L, 105L, 3.5m), (first.Calls, first.UnpricedCalls, first.InputTokens, first.OutputTokens, first.Cost));
        Assert.Equal(4m, Assert.Single(rows, r => r.BucketStart.Minute == 15).Cost);
        var untagged = Assert.Single(rows, r => r.Keys[0] is null);
        Assert.Equal((1L, 1L, 0m), (untagged.Calls, untagged.UnpricedCalls, untagged.Cost));
        Assert.Equal(6, query.RecordsRead);
        Assert.Equal(0, query.UnreadableLines);
    }

    [Fact]
    public async Task AggregateAsync_GroupingSets_OnePassSumsEachSetAsItsOwnQueryWould()
    {
        File.WriteAllLines(_path,
        [
            Records.At("2026-11-10T10:01:00Z", 1.5m, feature: "a").ToJson(),
            Records.At("2026-11-10T10:14:59Z", 2m, feature: "b", input: 10, output: 5).ToJson(),
            Records.At("2026-11-10T10:15:00Z", 4m, feature: "a").ToJson(),
            Records.At("2026-11-10T10:05:00Z", null, feature: null).ToJson(),
        ]);
        var query = new JsonLinesCostRecordQuery(_path);
        var from = new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero);
        CostDimension[][] sets = [[CostDimension.Feature], [], [CostDimension.Provider, CostDimension.Feature]];

        var rows = await ToListAsync(query.AggregateAsync(new CostAggregateQuery { From = from, To = from.AddDays(1), GroupingSets = sets, BucketSize = TimeSpan.FromDays(1) }));

        Assert.Equal(4, query.RecordsRead); // one pass for all three sets
        for (var set = 0; set < sets.Length; set++)
        {
            var alone = await ToListAsync(query.AggregateAsync(new CostAggregateQuery { From = from, To = from.AddDays(1), GroupBy = sets[set], BucketSize = TimeSpan.FromDays(1) }));
            static string Row(CostAggregate a) => $"{a.BucketStart:o}|{string.Join(",", a.Keys.Select(k => k ?? "<null>"))}|{a.Calls}|{a.UnpricedCalls}|{a.InputTokens}|{a.OutputTokens}|{a.Cost}";
            Assert.Equal(alone.Select(Row).Order(StringComparer.Ordinal), rows.Where(r => r.GroupingSet == set).Select(Row).Order(StringComparer.Ordinal));
        }

        Assert.Equal(3, rows.Count(r => r.GroupingSet == 0)); // a, b, untagged
        Assert.Equal(7.5m, Assert.Single(rows, r => r.GroupingSet == 1).Cost);
    }

    [Fact]
    public async Task AggregateAsync_UnreadableLines_SkippedAndCounted()
    {
        File.WriteAllLines(_path,
        [
            Records.At("2026-11-10T10:00:00Z", 1m).ToJson(),
            "{\"id\": \"torn", // a line cut off by a crash
            "not json at all",
            Records.At("2026-11-10T11:00:00Z", 2m).ToJson(),
        ]);
        var query = new JsonLinesCostRecordQuery(_path);

        var rows = await ToListAsync(query.AggregateAsync(new CostAggregateQuery
        {
            From = DateTimeOffset.UnixEpoch,
            To = DateTimeOffset.MaxValue,
            BucketSize = TimeSpan.FromDays(1),
        }));

        Assert.Equal(3m, Assert.Single(rows).Cost);
        Assert.Equal(2, query.UnreadableLines);
        Assert.Equal([2L, 3L], query.UnreadableLineNumbers);
    }

    [Fact]
    public async Task AggregateAsync_BucketNotMultipleOf15Minutes_Throws()
    {
        File.WriteAllText(_path, string.Empty);
        var query = new JsonLinesCostRecordQuery(_path);

        await Assert.ThrowsAsync<ArgumentException>(() => ToListAsync(query.AggregateAsync(new CostAggregateQuery
        {
            From = DateTimeOffset.UnixEpoch,
            To = DateTimeOffset.MaxValue,
            BucketSize = TimeSpan.FromMinutes(10),
        })));
    }

    [Fact]
    public async Task AggregateAsync_MissingFile_ThrowsFileNotFound()
    {
        var query = new JsonLinesCostRecordQuery(_path);

        await Assert.ThrowsAsync<FileNotFoundException>(() => ToListAsync(query.AggregateAsync(new CostAggregateQuery { From = DateTimeOffset.UnixEpoch, To = DateTimeOffset.MaxValue })));
    }

    [Fact]
    public async Task Report_OverJsonLines_SameAsOverTheQueryContract()
    {
        var random = new Random(7);
        var records = Enumerable.Range(0, 2000).Select(i => Records.At(
            new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(60 * 24 * 49)),
            random.Next(10) == 0 ? null : random.Next(1, 100_000) / 100_000m,
            feature: random.Next(5) == 0 ? null : "f" + random.Next(4),
            team: "t" + random.Next(3),
            model: "m" + random.Next(3),
            customer: "c" + random.Next(20))).ToList();
        File.WriteAllLines(_path, records.Select(r => r.ToJson()));
        var options = new CostReportOptions
        {
            GroupBy = [CostDimension.Feature, CostDimension.Customer],
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles"),
            TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 12, 0, 0, TimeSpan.Zero)),
        };

        var fromFile = await CostReportBuilder.BuildAsync(new JsonLinesCostRecordQuery(_path), options);
        var fromList = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), options);

        Assert.Equal(await JsonOf(fromList), await JsonOf(fromFile));
        Assert.True(fromFile.Total.Calls > 500, fromFile.Total.Calls.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<string> JsonOf(CostReport report)
    {
        using var stream = new MemoryStream();
        await CostReportWriter.WriteJsonAsync(report, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task<List<CostAggregate>> ToListAsync(IAsyncEnumerable<CostAggregate> rows)
    {
        var list = new List<CostAggregate>();
        await foreach (var row in rows)
        {
            list.Add(row);
        }

        return list;
    }
}
