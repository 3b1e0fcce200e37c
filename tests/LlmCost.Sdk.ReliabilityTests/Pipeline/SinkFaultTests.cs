using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.ReliabilityTests.Pipeline;

/// <summary>Faults survived: a hung sink, a throwing sink, and what the counters say about them.</summary>
public class SinkFaultTests
{
    internal static (ServiceProvider Provider, ILlmCostTracker Tracker, FakeLogCollector Logs) Build(
        FakeTimeProvider time, Action<LlmCostOptions>? configure, params ICostSink[] sinks)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddFakeLogging();
        var builder = services.AddLlmCostTracking(o => configure?.Invoke(o));
        foreach (var sink in sinks)
        {
            builder.AddSink(sink);
        }

        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<ILlmCostTracker>(), provider.GetFakeLogCollector());
    }

    [Fact]
    public async Task HungSink_WriteTimesOut_RecordsCountedInDroppedBySinksAndTheNextBatchIsWritten()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var hung = new TestSink { OnWrite = (_, _, call) => call == 1 ? new TaskCompletionSource().Task : Task.CompletedTask }; // ignores its token
        var healthy = new TestSink();
        var (provider, tracker, logs) = Build(time, o => o.Sinks.WriteTimeout = TimeSpan.FromSeconds(5), hung, healthy);
        await using var _ = provider;

        tracker.Track(Records.Create(1));
        tracker.Track(Records.Create(2));
        var flush = tracker.FlushAsync();
        await hung.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Records.Eventually(() => healthy.Records.Count == 2);
        Assert.False(flush.IsCompleted); // the hung sink has not passed the flush point

        await Records.Eventually(() =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return flush.IsCompleted;
        });
        await flush;

        var stats = tracker.Statistics;
        Assert.Equal(2, stats.DroppedBySinks);
        Assert.Equal(1, stats.SinkTimeouts);
        Assert.Equal(0, stats.RecordsWritten); // the hung sink never took them
        Assert.Equal(2, stats.SinkWrites);
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 251 && r.Level == LogLevel.Error);

        // The sink is written again without waiting for the abandoned write.
        tracker.Track(Records.Create(3));
        await tracker.FlushAsync();
        Assert.Single(hung.Records);
        Assert.Equal(1, tracker.Statistics.RecordsWritten);
    }

    [Fact]
    public async Task ThrowingSink_EveryRetryFails_CountedInDroppedBySinksAndSinkFailures()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var broken = new TestSink { OnWrite = (_, _, _) => throw new IOException("down") };
        var (provider, tracker, _) = Build(time, o => o.Sinks.MaxRetries = 2, broken);
        await using var _ = provider;

        tracker.Track(Records.Create());
        var flush = tracker.FlushAsync();
        await Records.Eventually(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return flush.IsCompleted;
        });

        var stats = tracker.Statistics;
        Assert.Equal(3, broken.Calls);
        Assert.Equal(3, stats.SinkFailures);
        Assert.Equal(1, stats.DroppedBySinks);
        Assert.Equal(0, stats.RecordsWritten);
    }

    [Fact]
    public async Task RecordsWritten_TwoHealthySinks_CountsRecordsNotDeliveries()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (provider, tracker, _) = Build(time, null, new TestSink(), new TestSink());
        await using var _ = provider;

        for (var i = 0; i < 10; i++)
        {
            tracker.Track(Records.Create(i));
        }

        await tracker.FlushAsync();

        var stats = tracker.Statistics;
        Assert.Equal(10, stats.RecordsWritten);
        Assert.Equal(20, stats.SinkWrites);
    }
}
