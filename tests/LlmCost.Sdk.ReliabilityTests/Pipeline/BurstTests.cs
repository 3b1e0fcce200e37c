using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.ReliabilityTests.Pipeline;

/// <summary>Load held: synchronous callers flooding the thread pool must not starve the pump.</summary>
public class BurstTests
{
    [Fact]
    public async Task Burst_200000CallsFrom32SynchronousCallersWithDefaultOptions_DropsNothing()
    {
        const int Callers = 32;
        const int CallsPerCaller = 6_250;
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddInMemorySink(); // default options: queue 10,000, batch 512, delay 1 s
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ILlmCostTracker>();
        var handler = tracker.CreateHandler();
        handler.InnerHandler = new ChatHandler();
        using var client = new HttpClient(handler);

        // 32 thread-pool threads that block in synchronous calls: the pool is saturated for the whole burst.
        var callers = Enumerable.Range(0, Callers).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < CallsPerCaller; i++)
            {
                using var request = ChatHandler.OpenAIRequest();
                using var response = client.Send(request);
                using var body = response.Content.ReadAsStream();
                body.CopyTo(Stream.Null);
            }
        })).ToArray();
        await Task.WhenAll(callers);
        await tracker.FlushAsync();

        var stats = tracker.Statistics;
        Assert.Equal(0, stats.DroppedQueueFull);
        Assert.Equal(Callers * CallsPerCaller, stats.Queued);
        Assert.Equal(Callers * CallsPerCaller, stats.RecordsWritten);
        Assert.Equal(Callers * CallsPerCaller, provider.GetRequiredService<InMemoryCostSink>().Records.Count);
    }

    [Fact]
    public async Task Burst_SinkThreadsAndPump_AreNotThreadPoolThreads()
    {
        var sink = new TestSink();
        bool? onPool = null;
        sink.OnWrite = (_, _, _) =>
        {
            onPool = Thread.CurrentThread.IsThreadPoolThread;
            return Task.CompletedTask;
        };
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddSink(sink);
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ILlmCostTracker>();

        tracker.Track(Records.Create());
        await tracker.FlushAsync();

        Assert.False(onPool);
    }
}
