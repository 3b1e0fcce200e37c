using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Pipeline;

/// <summary>The one writer: a finished call is queued unpriced and the pump builds, prices and counts its record.</summary>
public class LlmCostWriterTests
{
    private static ServiceProvider Services(TimeSpan? batchDelay = null)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = batchDelay ?? TimeSpan.Zero).AddInMemorySink();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Write_NoSpan_QueuesTheCallAndThePumpBuildsAndPricesItsRecord()
    {
        // The pump lingers for the batch delay (an hour here) until a flush: nothing is built before it.
        await using var sp = Services(TimeSpan.FromHours(1));
        var writer = sp.GetRequiredService<LlmCostWriter>();
        var call = new TestCall(writer, "gpt-4o");

        writer.Write(call);
        Assert.Equal(0, call.Built); // not on the caller's path
        await sp.GetRequiredService<ILlmCostTracker>().FlushAsync();

        Assert.Equal(1, call.Built);
        var record = Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records);
        Assert.Equal(0.005615m, record.Cost!.Total);
        Assert.Equal("openai/gpt-4o", record.Price!.Entry);
    }

    [Fact]
    public async Task Write_SpanRecordsData_CompletesOnTheCallersPathAndTagsTheSpanBeforeItEnds()
    {
        await using var sp = Services();
        var writer = sp.GetRequiredService<LlmCostWriter>();
        using var source = new ActivitySource("LlmCost.Sdk.Tests.Writer");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var span = source.StartActivity("chat")!;
        var call = new TestCall(writer, "gpt-4o") { OwnSpan = span };

        writer.Write(call);

        Assert.Equal(1, call.Built); // built now, before the span ends
        Assert.Equal(0.005615, (double)span.GetTagItem("gen_ai.usage.cost.amount")!, 9);
        await sp.GetRequiredService<ILlmCostTracker>().FlushAsync();
        Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records);
    }

    [Fact]
    public async Task Write_UnknownModel_NullCostCountedAsUnpriced()
    {
        await using var sp = Services();
        var writer = sp.GetRequiredService<LlmCostWriter>();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();

        writer.Write(new TestCall(writer, "no-such-model"));
        writer.Write(new TestCall(writer, "no-such-model"));
        await tracker.FlushAsync();

        Assert.All(sp.GetRequiredService<InMemoryCostSink>().Records, r => Assert.Null(r.Cost));
        Assert.Equal(2, tracker.Statistics.Unpriced);
    }

    [Fact]
    public async Task Write_BuildingTheRecordThrows_CountedAndNothingWritten()
    {
        await using var sp = Services();
        var writer = sp.GetRequiredService<LlmCostWriter>();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();

        writer.Write(new TestCall(writer, "gpt-4o") { Throw = true });
        await tracker.FlushAsync();

        Assert.Empty(sp.GetRequiredService<InMemoryCostSink>().Records);
        Assert.Equal(1, tracker.Statistics.InternalErrors);
    }

    private sealed class TestCall(LlmCostWriter writer, string model) : PendingRecord
    {
        public override LlmCostWriter Writer => writer;

        public int Built { get; private set; }

        public bool Throw { get; init; }

        public Activity? OwnSpan { get; init; }

        public override Activity? Span => OwnSpan;

        public override DateTimeOffset Timestamp { get; } = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        public override CostRecord ToRecord(Guid id)
        {
            Built++;
            if (Throw)
            {
                throw new InvalidOperationException("test");
            }

            return new CostRecord
            {
                Id = id,
                Timestamp = Timestamp,
                Provider = "openai",
                Operation = "chat",
                Model = model,
                RequestModel = model,
                StatusCode = 200,
                Usage = new TokenUsage { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300, Source = UsageSource.Provider },
            };
        }
    }
}
