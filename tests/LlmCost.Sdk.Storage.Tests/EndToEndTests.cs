using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Storage.Tests;

/// <summary>Tracked calls through <c>AddLlmCostTracking().AddSqliteSink(path)</c> / <c>AddPostgreSqlSink</c> to the stores' sums.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EndToEndTests(PostgresServer server) : IDisposable
{
    private const string OpenAIResponse = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1763910000,"model":"gpt-4o-2024-08-06",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":1200,"completion_tokens":350,"total_tokens":1550,"prompt_tokens_details":{"cached_tokens":1024}}}
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "llmcost-e2e-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task AddSqliteSink_TrackedCalls_AreStoredAndSummedAsTheInMemorySinkSawThem()
    {
        var path = Path.Combine(_folder, "nested", "costs.db");
        var seen = await TrackCallsAsync(b => b.AddSqliteSink(path));

        await AssertStoredAsync(new SqliteCostRecordStore(path), seen);
        var stored = new List<CostRecord>();
        await foreach (var record in new SqliteCostRecordStore(path).ReadRecordsAsync(DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue.AddYears(-1)))
        {
            stored.Add(record);
        }

        // Stored as the JSON Lines record is: the same JSON (milliseconds, durations to 3 decimals).
        Assert.Equal(seen.OrderBy(r => r.Id).Select(r => r.ToJson()), stored.OrderBy(r => r.Id).Select(r => r.ToJson()));
    }

    [Fact]
    public async Task AddSqliteSink_ProviderDisposedWithoutAFlush_DrainsEveryRecordIntoTheFile()
    {
        var path = Path.Combine(_folder, "drained.db");
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddSqliteSink(path);
        await using (var provider = services.BuildServiceProvider())
        {
            var tracker = provider.GetRequiredService<ILlmCostTracker>();
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(tracker.Track(StoreRecords.At(StoreRecords.Day.AddSeconds(i), 0.001m)));
            }
        }

        var total = new List<CostAggregate>();
        await foreach (var a in new SqliteCostRecordStore(path).AggregateAsync(new CostAggregateQuery { From = StoreRecords.Day, To = StoreRecords.Day.AddDays(1), BucketSize = TimeSpan.FromDays(1) }))
        {
            total.Add(a);
        }

        Assert.Equal((1000L, 1m), (Assert.Single(total).Calls, total[0].Cost));
    }

    [Fact]
    public async Task AddPostgreSqlSink_TrackedCalls_AreStoredAndSummedAsTheInMemorySinkSawThem()
    {
        var cs = await server.CreateDatabaseAsync();
        var seen = await TrackCallsAsync(b => b.AddPostgreSqlSink(cs));

        await AssertStoredAsync(new PostgreSqlCostRecordStore(cs), seen);
    }

    /// <summary>Three calls through a tracked HttpClient, two in one feature's scope; returns what the in-memory sink got.</summary>
    private static async Task<IReadOnlyList<CostRecord>> TrackCallsAsync(Action<LlmCostTrackingBuilder> addSink)
    {
        var services = new ServiceCollection();
        var builder = services.AddLlmCostTracking(o => o.Environment = "test").AddInMemorySink();
        addSink(builder);
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ILlmCostTracker>();
        var handler = tracker.CreateHandler(new LlmCostTags { Team = "search" });
        handler.InnerHandler = new StubHandler();
        using var http = new HttpClient(handler);

        using (LlmCostScope.Begin(feature: "ticket-triage", customer: "acme"))
        {
            for (var i = 0; i < 2; i++)
            {
                using var response = await http.PostAsync("https://api.openai.com/v1/chat/completions", new StringContent("""{"model":"gpt-4o","messages":[]}""", Encoding.UTF8, "application/json"));
                await response.Content.ReadAsStringAsync();
            }
        }

        using (var response = await http.PostAsync("https://api.openai.com/v1/chat/completions", new StringContent("""{"model":"gpt-4o","messages":[]}""", Encoding.UTF8, "application/json")))
        {
            await response.Content.ReadAsStringAsync();
        }

        await tracker.FlushAsync();
        Assert.Equal(0, tracker.Statistics.DroppedBySinks);
        return [.. provider.GetRequiredService<InMemoryCostSink>().Records];
    }

    private static async Task AssertStoredAsync(ICostRecordQuery store, IReadOnlyList<CostRecord> seen)
    {
        Assert.Equal(3, seen.Count);
        Assert.All(seen, r => Assert.NotNull(r.Cost));
        var from = seen.Min(r => r.Timestamp).AddDays(-1);
        var result = new List<CostAggregate>();
        await foreach (var a in store.AggregateAsync(new CostAggregateQuery
        {
            From = from,
            To = from.AddDays(3),
            GroupBy = [CostDimension.Feature, CostDimension.Team, CostDimension.Model, CostDimension.Environment],
            BucketSize = TimeSpan.FromDays(36500),
        }))
        {
            result.Add(a);
        }

        var expected = seen
            .GroupBy(r => (r.Tags.Feature, r.Tags.Team, Model: r.Model ?? r.RequestModel, r.Tags.Environment))
            .Select(g => (Keys: string.Join("|", g.Key.Feature ?? "<null>", g.Key.Team, g.Key.Model, g.Key.Environment), Calls: (long)g.Count(), Cost: g.Sum(r => r.Cost!.Total), Input: g.Sum(r => r.Usage.InputTokens)))
            .OrderBy(x => x.Keys, StringComparer.Ordinal);
        Assert.Equal(expected, result
            .Select(a => (Keys: string.Join("|", a.Keys.Select(k => k ?? "<null>")), a.Calls, a.Cost, Input: a.InputTokens))
            .OrderBy(x => x.Keys, StringComparer.Ordinal));
        Assert.Equal(["<null>|search|gpt-4o-2024-08-06|test", "ticket-triage|search|gpt-4o-2024-08-06|test"], result.Select(a => string.Join("|", a.Keys.Select(k => k ?? "<null>"))).Order(StringComparer.Ordinal));
    }

    private sealed class StubHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(OpenAIResponse, Encoding.UTF8, "application/json") });
    }
}
