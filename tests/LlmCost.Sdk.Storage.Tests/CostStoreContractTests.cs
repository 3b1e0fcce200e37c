namespace LlmCost.Sdk.Storage.Tests;

/// <summary>
/// What every store must do, run against SQLite and PostgreSQL alike so both agree: records round-trip, retried batches
/// never duplicate, and the sums are exact for hand-checkable data.
/// </summary>
public abstract class CostStoreContractTests
{
    private static readonly DateTimeOffset T0 = StoreRecords.Day.AddHours(10); // a bucket boundary (10:00 UTC)

    /// <summary>Creates a sink writing to this test's own empty store.</summary>
    protected abstract Task<ICostSink> CreateSinkAsync();

    /// <summary>Creates the query side of the same store.</summary>
    protected abstract ICostRecordQuery CreateStore();

    /// <summary>Reads every stored record back.</summary>
    protected abstract IAsyncEnumerable<CostRecord> ReadAllAsync();

    private async Task<ICostRecordQuery> StoreWithAsync(params CostRecord[] records)
    {
        var sink = await CreateSinkAsync();
        try
        {
            await sink.WriteAsync(records, CancellationToken.None);
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }

        return CreateStore();
    }

    private async Task<List<CostAggregate>> AggregateAsync(ICostRecordQuery store, DateTimeOffset from, DateTimeOffset to, TimeSpan? bucket = null, params CostDimension[] groupBy)
    {
        var query = new CostAggregateQuery { From = from, To = to, GroupBy = groupBy, BucketSize = bucket ?? CostAggregateQuery.DefaultBucketSize };
        var result = new List<CostAggregate>();
        await foreach (var aggregate in store.AggregateAsync(query))
        {
            result.Add(aggregate);
        }

        return [.. result.OrderBy(a => a.BucketStart).ThenBy(a => string.Join("|", a.Keys.Select(k => k ?? "<null>")), StringComparer.Ordinal)];
    }

    [Fact]
    public async Task WriteAsync_EveryField_RoundTrips()
    {
        var full = StoreRecords.Full();
        var failed = StoreRecords.At(T0, cost: null) with { StatusCode = null, ErrorType = "System.Net.Http.HttpRequestException", Usage = TokenUsage.None, DurationMs = 3.25 };
        await StoreWithAsync(full, failed);

        var read = new List<CostRecord>();
        await foreach (var record in ReadAllAsync())
        {
            read.Add(record);
        }

        Assert.Equal(2, read.Count);
        Assert.Equal(failed, read.Single(r => r.Id == failed.Id));
        var back = read.Single(r => r.Id == full.Id);
        Assert.Equal(full, back);
        Assert.Equal(full.Tags.Custom, back.Tags.Custom);
        Assert.Equal(full.ToJson(), back.ToJson());
    }

    [Fact]
    public async Task WriteAsync_SameBatchRetried_StoresEachRecordOnce()
    {
        var batch = Enumerable.Range(0, 20).Select(i => StoreRecords.At(T0.AddSeconds(i), 0.01m)).ToArray();
        var sink = await CreateSinkAsync();
        try
        {
            await sink.WriteAsync(batch, CancellationToken.None);
            await sink.WriteAsync(batch, CancellationToken.None); // the pipeline's retry after a lost acknowledgement
            await sink.WriteAsync([.. batch[10..], StoreRecords.At(T0.AddMinutes(1), 0.5m)], CancellationToken.None); // overlapping batch
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }

        var total = Assert.Single(await AggregateAsync(CreateStore(), T0, T0.AddHours(1)));
        Assert.Equal(21, total.Calls);
        Assert.Equal(0.7m, total.Cost);
    }

    [Fact]
    public async Task AggregateAsync_NoGrouping_SumsEveryColumnPerBucket()
    {
        var store = await StoreWithAsync(
            StoreRecords.At(T0, 0.1m, input: 100, cached: 10, output: 20),
            StoreRecords.At(T0.AddMinutes(14).AddSeconds(59.999), 0.2m, input: 1, cached: 0, output: 2),
            StoreRecords.At(T0.AddMinutes(15), 0.3m, input: 5, cached: 5, output: 5));

        var result = await AggregateAsync(store, T0, T0.AddHours(1));

        Assert.Equal(2, result.Count);
        Assert.Equal(new CostAggregate { BucketStart = T0, Keys = result[0].Keys, Calls = 2, InputTokens = 101, CachedInputTokens = 10, OutputTokens = 22, Cost = 0.3m }, result[0]);
        Assert.Empty(result[0].Keys);
        Assert.Equal(T0.AddMinutes(15), result[1].BucketStart);
        Assert.Equal(1, result[1].Calls);
        Assert.Equal(0.3m, result[1].Cost);
    }

    [Fact]
    public async Task AggregateAsync_Range_IncludesFromAndExcludesTo()
    {
        var store = await StoreWithAsync(
            StoreRecords.At(T0.AddMilliseconds(-1), 1m),
            StoreRecords.At(T0, 2m),
            StoreRecords.At(T0.AddMinutes(30).AddMilliseconds(-1), 4m),
            StoreRecords.At(T0.AddMinutes(30), 8m));

        var result = await AggregateAsync(store, T0, T0.AddMinutes(30), TimeSpan.FromHours(1));

        var bucket = Assert.Single(result);
        Assert.Equal(T0, bucket.BucketStart);
        Assert.Equal(2, bucket.Calls);
        Assert.Equal(6m, bucket.Cost);
    }

    [Fact]
    public async Task AggregateAsync_ByFeatureAndTeam_GroupsWithNullTagsAsNullKeys()
    {
        var store = await StoreWithAsync(
            StoreRecords.At(T0, 0.25m, feature: "search", team: "a"),
            StoreRecords.At(T0.AddMinutes(1), 0.5m, feature: "search", team: "a"),
            StoreRecords.At(T0.AddMinutes(2), 1m, feature: "search", team: "b"),
            StoreRecords.At(T0.AddMinutes(3), 2m, feature: null, team: "a"),
            StoreRecords.At(T0.AddMinutes(4), 4m, feature: null, team: null),
            StoreRecords.At(T0.AddMinutes(5), 8m, feature: null, team: null));

        var result = await AggregateAsync(store, StoreRecords.Day, StoreRecords.Day.AddDays(1), TimeSpan.FromDays(1), CostDimension.Feature, CostDimension.Team);

        Assert.All(result, a => Assert.Equal(StoreRecords.Day, a.BucketStart));
        Assert.Equal(
            [("<null>|<null>", 2L, 12m), ("<null>|a", 1L, 2m), ("search|a", 2L, 0.75m), ("search|b", 1L, 1m)],
            result.Select(a => (string.Join("|", a.Keys.Select(k => k ?? "<null>")), a.Calls, a.Cost)));
        Assert.All(result, a => Assert.Equal(2, a.Keys.Count));
        Assert.Null(result[0].Keys[0]);
        Assert.Null(result[0].Keys[1]);
    }

    [Theory]
    [InlineData(15)] // on the rollup's 15-minute buckets (PostgreSQL reads cost_rollups)
    [InlineData(1440)]
    public async Task AggregateAsync_GroupingSets_EachSetSumsAsItsOwnQueryWould(int bucketMinutes)
    {
        // One query with several grouping sets returns, per set, exactly the rows a query grouped by that set alone
        // returns (keys in the set's order, null keys kept apart), tagged with the set's index.
        var store = await StoreWithAsync(
            StoreRecords.At(T0, 0.25m, feature: "search", team: "a", model: "gpt-4o"),
            StoreRecords.At(T0.AddMinutes(1), 0.5m, feature: "search", team: "a", model: "gpt-4o-mini"),
            StoreRecords.At(T0.AddMinutes(20), 1m, feature: "search", team: "b", model: "gpt-4o"),
            StoreRecords.At(T0.AddMinutes(21), 2m, feature: null, team: "a", model: "gpt-4o"),
            StoreRecords.At(T0.AddMinutes(40), null, feature: null, team: null, model: "mystery-1", input: 7, cached: 0, output: 3),
            StoreRecords.At(T0.AddMinutes(41), 8m, feature: null, team: null, model: "gpt-4o-mini"));
        CostDimension[][] sets = [[CostDimension.Team, CostDimension.Feature], [CostDimension.Model], [], [CostDimension.Provider, CostDimension.Model]];
        var bucket = TimeSpan.FromMinutes(bucketMinutes);

        var query = new CostAggregateQuery { From = StoreRecords.Day, To = StoreRecords.Day.AddDays(1), GroupingSets = sets, BucketSize = bucket };
        var combined = new List<CostAggregate>();
        await foreach (var aggregate in store.AggregateAsync(query))
        {
            combined.Add(aggregate);
        }

        Assert.Equal(Enumerable.Range(0, sets.Length), combined.Select(a => a.GroupingSet).Distinct().Order());
        for (var set = 0; set < sets.Length; set++)
        {
            var alone = await AggregateAsync(store, StoreRecords.Day, StoreRecords.Day.AddDays(1), bucket, sets[set]);
            var ofSet = combined.Where(a => a.GroupingSet == set)
                .OrderBy(a => a.BucketStart).ThenBy(a => string.Join("|", a.Keys.Select(k => k ?? "<null>")), StringComparer.Ordinal)
                .ToList();
            Assert.Equal(alone.Count, ofSet.Count);
            static object Row(CostAggregate a) => (a.BucketStart, string.Join("|", a.Keys.Select(k => k ?? "<null>")), a.Calls, a.UnpricedCalls, a.InputTokens, a.CachedInputTokens, a.OutputTokens, a.Cost);
            Assert.Equal(alone.Select(Row), ofSet.Select(Row));
            Assert.All(alone, a => Assert.Equal(0, a.GroupingSet));
            Assert.All(ofSet, a => Assert.Equal(sets[set].Length, a.Keys.Count));
            Assert.Equal(6L, ofSet.Sum(a => a.Calls));
            Assert.Equal(11.75m, ofSet.Sum(a => a.Cost));
            Assert.Equal(1L, ofSet.Sum(a => a.UnpricedCalls));
        }

        var byTeamAndFeature = combined.Where(a => a.GroupingSet == 0).ToList();
        Assert.Contains(byTeamAndFeature, a => a.Keys[0] == "a" && a.Keys[1] is null && a.Cost == 2m);
    }

    [Fact]
    public void CostAggregateQuery_GroupingSets_RejectsAmbiguousSets()
    {
        Assert.Throws<ArgumentException>(() => new CostAggregateQuery { From = T0, To = T0, GroupingSets = [[CostDimension.Model, CostDimension.Provider], [CostDimension.Provider, CostDimension.Model]] });
        Assert.Throws<ArgumentException>(() => new CostAggregateQuery { From = T0, To = T0, GroupingSets = [[CostDimension.Model, CostDimension.Model]] });
        Assert.Throws<ArgumentException>(() => new CostAggregateQuery { From = T0, To = T0, GroupingSets = [[(CostDimension)42]] });
        Assert.Throws<ArgumentException>(() => new CostAggregateQuery { From = T0, To = T0, GroupingSets = [null!] });
    }

    [Fact]
    public async Task AggregateAsync_UnpricedRecords_CountedApartAndAddNoCost()
    {
        var store = await StoreWithAsync(
            StoreRecords.At(T0, 0.125m, model: "gpt-4o"),
            StoreRecords.At(T0.AddMinutes(1), null, model: "mystery-1", input: 7, cached: 0, output: 3),
            StoreRecords.At(T0.AddMinutes(2), null, model: "mystery-1", input: 1, cached: 0, output: 1));

        var result = await AggregateAsync(store, T0, T0.AddHours(1), TimeSpan.FromHours(1), CostDimension.Model);

        Assert.Equal(2, result.Count);
        Assert.Equal(["gpt-4o"], result[0].Keys);
        Assert.Equal((1L, 0L, 0.125m), (result[0].Calls, result[0].UnpricedCalls, result[0].Cost));
        Assert.Equal(["mystery-1"], result[1].Keys);
        Assert.Equal((2L, 2L, 0m, 8L, 4L), (result[1].Calls, result[1].UnpricedCalls, result[1].Cost, result[1].InputTokens, result[1].OutputTokens));
    }

    [Fact]
    public async Task AggregateAsync_ByProviderAndModel_UsesRequestModelWhenTheResponseNamedNone()
    {
        var store = await StoreWithAsync(
            StoreRecords.At(T0, 1m, model: "gpt-4o-2024-08-06", requestModel: "gpt-4o"),
            StoreRecords.At(T0, 2m, model: null, requestModel: "gpt-4o-2024-08-06"),
            StoreRecords.At(T0, 4m, model: null, requestModel: null),
            StoreRecords.At(T0, 8m, provider: "anthropic", model: "claude-opus-4-8"));

        var result = await AggregateAsync(store, T0, T0.AddHours(1), TimeSpan.FromHours(1), CostDimension.Provider, CostDimension.Model);

        Assert.Equal(
            [("anthropic|claude-opus-4-8", 8m), ("openai|<null>", 4m), ("openai|gpt-4o-2024-08-06", 3m)],
            result.Select(a => (string.Join("|", a.Keys.Select(k => k ?? "<null>")), a.Cost)));
    }

    [Fact]
    public async Task AggregateAsync_CustomerAndEnvironment_GroupInTheQueryOrder()
    {
        var store = await StoreWithAsync(
            StoreRecords.At(T0, 1m, customer: "acme", environment: "production"),
            StoreRecords.At(T0, 2m, customer: "acme", environment: "staging"),
            StoreRecords.At(T0, 4m, customer: null, environment: "production"));

        var result = await AggregateAsync(store, T0, T0.AddHours(1), TimeSpan.FromHours(1), CostDimension.Environment, CostDimension.Customer);

        Assert.Equal(
            [("production|<null>", 4m), ("production|acme", 1m), ("staging|acme", 2m)],
            result.Select(a => (string.Join("|", a.Keys.Select(k => k ?? "<null>")), a.Cost)));
    }

    [Fact]
    public async Task AggregateAsync_DecimalCosts_SumExactly()
    {
        // 0.1 + 0.2 is not 0.3 in floating point; tiny per-token costs vanish next to large ones in a double.
        var store = await StoreWithAsync(
            StoreRecords.At(T0, 0.1m),
            StoreRecords.At(T0.AddSeconds(1), 0.2m),
            StoreRecords.At(T0.AddSeconds(2), 123456789.000000001m),
            StoreRecords.At(T0.AddSeconds(3), 0.000000000000000001m),
            StoreRecords.At(T0.AddSeconds(4), 0.0000025m));

        var total = Assert.Single(await AggregateAsync(store, T0, T0.AddHours(1)));

        Assert.Equal(123456789.300002501000000001m, total.Cost);
    }

    [Fact]
    public async Task AggregateAsync_DayBuckets_AlignToUtcMidnightFromTheEpoch()
    {
        var store = await StoreWithAsync(
            StoreRecords.At(StoreRecords.Day.AddMinutes(-1), 1m),
            StoreRecords.At(StoreRecords.Day, 2m),
            StoreRecords.At(StoreRecords.Day.AddDays(1).AddTicks(-TimeSpan.TicksPerMillisecond), 4m));

        var result = await AggregateAsync(store, StoreRecords.Day.AddDays(-1), StoreRecords.Day.AddDays(2), TimeSpan.FromDays(1));

        Assert.Equal([(StoreRecords.Day.AddDays(-1), 1m), (StoreRecords.Day, 6m)], result.Select(a => (a.BucketStart, a.Cost)));
        Assert.All(result, a => Assert.Equal(TimeSpan.Zero, a.BucketStart.Offset));
    }

    [Fact]
    public async Task AggregateAsync_RangeInAnotherOffset_ComparesInstants()
    {
        var store = await StoreWithAsync(StoreRecords.At(T0, 1m), StoreRecords.At(T0.AddHours(2), 2m));
        var plusTwo = TimeSpan.FromHours(2);

        var result = await AggregateAsync(store, T0.ToOffset(plusTwo), T0.AddHours(1).ToOffset(plusTwo), TimeSpan.FromHours(1));

        Assert.Equal(1m, Assert.Single(result).Cost);
    }

    [Fact]
    public async Task AggregateAsync_EmptyRange_ReturnsNothing()
    {
        var store = await StoreWithAsync(StoreRecords.At(T0, 1m));

        Assert.Empty(await AggregateAsync(store, T0.AddDays(1), T0.AddDays(2)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-15)]
    [InlineData(20)]
    public async Task AggregateAsync_BucketNotAWholeMultipleOf15Minutes_Throws(int minutes)
    {
        var store = await StoreWithAsync(StoreRecords.At(T0, 1m));

        Assert.Throws<ArgumentException>(() => store.AggregateAsync(new CostAggregateQuery { From = T0, To = T0.AddDays(1), BucketSize = TimeSpan.FromMinutes(minutes) }));
    }

    [Fact]
    public async Task AggregateAsync_UnknownDimension_ThrowsBeforeTheQueryRuns()
    {
        var store = await StoreWithAsync(StoreRecords.At(T0, 1m));

        Assert.Throws<ArgumentException>(() => store.AggregateAsync(new CostAggregateQuery { From = T0, To = T0.AddDays(1), GroupBy = [(CostDimension)42] }));
    }
}
