using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Tests.Pipeline;

/// <summary>
/// <see cref="ILlmCostTracker.TrackBatchOutputAsync"/> on real results files: OpenAI's Batch API output
/// (Payloads/openai-batch-output.jsonl) and Anthropic's Message Batches results (Payloads/anthropic-batch-results.jsonl).
/// </summary>
/// <remarks>
/// The cost assertions depend on the embedded table's <c>serviceTiers.batch</c> rates (prices.json 2026.11.6): OpenAI's
/// Batch API is half the standard price (gpt-4o $1.25/$0.625 cached/$5, gpt-4o-mini $0.075/$0.30, gpt-3.5-turbo
/// $0.25/$0.75, text-embedding-3-small $0.01 per 1M tokens) and so are Anthropic's Message Batches (claude-sonnet-4-5
/// $1.50/$7.50).
/// </remarks>
public class BatchOutputTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 15, 0, 0, TimeSpan.Zero);

    private sealed class Services : IAsyncDisposable
    {
        public Services()
        {
            var services = new ServiceCollection();
            services.AddSingleton<TimeProvider>(Time);
            services.AddFakeLogging();
            services.AddLlmCostTracking(o =>
                {
                    o.Environment = "test";
                    o.DefaultTags.Team = "platform";
                    o.DefaultTags.Feature = "unattributed";
                })
                .AddInMemorySink();
            Provider = services.BuildServiceProvider();
            Tracker = Provider.GetRequiredService<ILlmCostTracker>();
        }

        public FakeTimeProvider Time { get; } = new(Now);

        public ServiceProvider Provider { get; }

        public ILlmCostTracker Tracker { get; }

        public FakeLogCollector Logs => Provider.GetFakeLogCollector();

        public async Task<IReadOnlyList<CostRecord>> RecordsAsync()
        {
            await Tracker.FlushAsync();
            return Provider.GetRequiredService<InMemoryCostSink>().Records;
        }

        public ValueTask DisposeAsync() => Provider.DisposeAsync();
    }

    private static async Task<(int Count, IReadOnlyList<CostRecord> Records)> TrackAsync(Services services, string payload, string provider, LlmCostTags? tags = null)
    {
        await using var file = File.OpenRead(Payloads.Path(payload));
        var count = await services.Tracker.TrackBatchOutputAsync(file, provider, tags);
        return (count, await services.RecordsAsync());
    }

    [Fact]
    public async Task TrackBatchOutputAsync_OpenAIOutputFile_OneRecordPerLinePricedAtTheBatchRate()
    {
        await using var services = new Services();

        var (count, records) = await TrackAsync(services, "openai-batch-output.jsonl", "openai", new LlmCostTags { Feature = "nightly-eval" });

        Assert.Equal(6, count);
        Assert.Equal(6, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal("openai", r.Provider);
            Assert.Equal("batch", r.ServiceTier);
            Assert.False(r.Streaming);
            Assert.Equal(new LlmCostTags { Feature = "nightly-eval", Team = "platform", Environment = "test" }, r.Tags);
        });

        // The Batch guide's example line: 22 input × $0.25 + 2 output × $0.75 per 1M tokens (gpt-3.5-turbo batch).
        var first = records[0];
        Assert.Equal(("chat", "gpt-3.5-turbo-0125", 200), (first.Operation, first.Model, first.StatusCode));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1711652795), first.Timestamp); // the body's "created"
        Assert.Equal((22L, 2L, UsageSource.Provider), (first.Usage.InputTokens, first.Usage.OutputTokens, first.Usage.Source));
        Assert.Equal(0.0000055m, first.Cost!.Input);
        Assert.Equal(0.0000015m, first.Cost.Output);
        Assert.Equal(0.000007m, first.Cost.Total);
        Assert.Equal("openai/gpt-3.5-turbo", first.Price!.Entry);

        Assert.Equal(0.00001175m, records[1].Cost!.Total); // 20 × $0.25 + 9 × $0.75

        // A real captured line: gpt-4o-mini, 24 × $0.075 + 8 × $0.30.
        Assert.Equal("gpt-4o-mini-2024-07-18", records[2].Model);
        Assert.Equal(0.0000042m, records[2].Cost!.Total);

        // gpt-4o at OpenAI's Batch API price ($1.25 input, $0.625 cached, $5 output): half the $0.005615 it costs live,
        // although the body says "service_tier":"default".
        var gpt4o = records[3];
        Assert.Equal((2006L, 1920L, 300L), (gpt4o.Usage.InputTokens, gpt4o.Usage.CachedInputTokens, gpt4o.Usage.OutputTokens));
        Assert.Equal(0.0001075m, gpt4o.Cost!.Input);
        Assert.Equal(0.0012m, gpt4o.Cost.CachedInput);
        Assert.Equal(0.0015m, gpt4o.Cost.Output);
        Assert.Equal(0.0028075m, gpt4o.Cost.Total);
        Assert.Equal(Math.Round(0.005615m / 2, 7), gpt4o.Cost.Total);

        // An embeddings body: 8 tokens × $0.01; it has no "created", so the record is stamped now.
        var embedding = records[4];
        Assert.Equal(("embeddings", "text-embedding-3-small", 8L), (embedding.Operation, embedding.Model, embedding.Usage.InputTokens));
        Assert.Equal(0.00000008m, embedding.Cost!.Total);
        Assert.Equal(Now, embedding.Timestamp);

        // The error file's expired request: a record with the error and no cost.
        var expired = records[5];
        Assert.Equal("batch_expired", expired.ErrorType);
        Assert.Null(expired.StatusCode);
        Assert.Null(expired.Cost);
        Assert.Equal(UsageSource.None, expired.Usage.Source);

        var statistics = services.Tracker.Statistics;
        Assert.Equal((0L, 0L, 0L), (statistics.MalformedResponses, statistics.MissingUsage, statistics.Unpriced));
    }

    [Fact]
    public async Task TrackBatchOutputAsync_AnthropicResults_SucceededPricedAtTheBatchRateOthersAreErrors()
    {
        await using var services = new Services();

        var (count, records) = await TrackAsync(services, "anthropic-batch-results.jsonl", "anthropic");

        Assert.Equal(5, count);
        Assert.All(records, r => Assert.Equal(("anthropic", "chat", "batch", false), (r.Provider, r.Operation, r.ServiceTier, r.Streaming)));

        // Message Batches price for claude-sonnet-4-5: $1.50 input, $7.50 output per 1M tokens.
        var second = records[0];
        Assert.Equal(("claude-sonnet-4-5-20250929", 200, 11L, 36L), (second.Model, second.StatusCode, second.Usage.InputTokens, second.Usage.OutputTokens));
        Assert.Equal(0.0000165m, second.Cost!.Input);
        Assert.Equal(0.00027m, second.Cost.Output);
        Assert.Equal(0.0002865m, second.Cost.Total);
        Assert.Equal("anthropic/claude-sonnet-4-5", second.Price!.Entry);
        Assert.Equal(Now, second.Timestamp); // a Message has no creation time
        Assert.Equal(0.00027m, records[1].Cost!.Total); // 10 × $1.50 + 34 × $7.50

        Assert.Equal(["invalid_request_error", "canceled", "expired"], records.Skip(2).Select(r => r.ErrorType));
        Assert.All(records.Skip(2), r =>
        {
            Assert.Null(r.Cost);
            Assert.Null(r.StatusCode);
            Assert.Equal(UsageSource.None, r.Usage.Source);
        });
        Assert.Equal(0, services.Tracker.Statistics.MalformedResponses);
    }

    [Fact]
    public async Task TrackBatchOutputAsync_AmbientScope_AttributesUnderTheGivenTags()
    {
        await using var services = new Services();

        using (LlmCostScope.Begin(feature: "scope-feature", customer: "acme"))
        {
            await TrackAsync(services, "anthropic-batch-results.jsonl", "anthropic", new LlmCostTags { Feature = "bulk-summaries" });
        }

        var record = (await services.RecordsAsync())[0];
        Assert.Equal(new LlmCostTags { Feature = "bulk-summaries", Customer = "acme", Team = "platform", Environment = "test" }, record.Tags);
    }

    [Fact]
    public async Task TrackBatchOutputAsync_MalformedLines_AreCountedAndLoggedNeverFatal()
    {
        await using var services = new Services();
        var good = File.ReadLines(Payloads.Path("openai-batch-output.jsonl")).First();
        var text = string.Join("\n", "not json", good, "", "[1,2]", """{"id":"batch_req_1","custom_id":"x"}""", """{"id":"batch_req_2","response":{"status_code":200}}""", good);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));

        var count = await services.Tracker.TrackBatchOutputAsync(stream, "openai");

        Assert.Equal(2, count);
        Assert.Equal(2, (await services.RecordsAsync()).Count);
        Assert.Equal(4, services.Tracker.Statistics.MalformedResponses);
        var warnings = services.Logs.GetSnapshot().Where(r => r.Id.Id == 12).ToList();
        Assert.Equal(4, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Contains("Line 1 of the openai batch results", warnings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrackBatchOutputAsync_FailedRequestInTheOutputFile_IsAnErrorRecordWithItsStatus()
    {
        await using var services = new Services();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(
            """{"id":"batch_req_9","custom_id":"request-9","response":{"status_code":400,"request_id":"req_9","body":{"error":{"message":"Invalid 'messages'","type":"invalid_request_error","param":"messages","code":null}}},"error":null}"""));

        Assert.Equal(1, await services.Tracker.TrackBatchOutputAsync(stream, "openai"));

        var record = Assert.Single(await services.RecordsAsync());
        Assert.Equal((400, "400"), (record.StatusCode, record.ErrorType));
        Assert.Null(record.Cost);
    }

    [Fact]
    public async Task TrackBatchOutputAsync_UnsupportedProvider_Throws()
    {
        await using var services = new Services();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => services.Tracker.TrackBatchOutputAsync(new MemoryStream(), "gcp.gemini"));

        Assert.Equal("provider", ex.ParamName);
    }
}
