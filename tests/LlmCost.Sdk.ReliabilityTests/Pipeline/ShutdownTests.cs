using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.ReliabilityTests.Pipeline;

/// <summary>Shutdown on time: StopAsync and DisposeAsync are bounded by ShutdownTimeout whatever the sinks do.</summary>
public class ShutdownTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private static IHost BuildHost(FakeTimeProvider time, params ICostSink[] sinks)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddFakeLogging();
        var tracking = builder.Services.AddLlmCostTracking(o => o.ShutdownTimeout = ShutdownTimeout);
        foreach (var sink in sinks)
        {
            tracking.AddSink(sink);
        }

        return builder.Build();
    }

    /// <summary>
    /// Advances the fake clock to just before the shutdown timeout (the task must still run), then to it: the task must
    /// then end without the clock moving further.
    /// </summary>
    private static async Task AdvancePastShutdownTimeout(FakeTimeProvider time, Task task)
    {
        time.Advance(ShutdownTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(task.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task StopAsync_SinkAlwaysThrows_ReturnsWithinShutdownTimeoutAndCountsWhatWasLeft()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var broken = new TestSink { OnWrite = (_, _, _) => throw new IOException("down") };
        using var host = BuildHost(time, broken);
        await host.StartAsync();
        var tracker = host.Services.GetRequiredService<ILlmCostTracker>();
        for (var i = 0; i < 3; i++)
        {
            tracker.Track(Records.Create(i));
        }

        var stop = host.StopAsync(); // the host's own budget (30 s, real clock) is never reached
        await broken.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(stop.IsCompleted); // retrying with backoff on the fake clock

        await AdvancePastShutdownTimeout(time, stop);

        var stats = tracker.Statistics;
        Assert.Equal(3, stats.DroppedBySinks);
        Assert.Contains(host.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 250);

        // The shutdown gave up on the sinks: disposal does not wait a second timeout.
        await ((IAsyncDisposable)host).DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task DisposeAsync_SinkNeverCompletesAndIgnoresItsToken_ReturnsWithinShutdownTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var hung = new TestSink { OnWrite = (_, _, _) => new TaskCompletionSource().Task };
        var healthy = new TestSink();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLlmCostTracking(o => o.ShutdownTimeout = ShutdownTimeout).AddSink(hung).AddSink(healthy);
        var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ILlmCostTracker>();
        tracker.Track(Records.Create(1));
        tracker.Track(Records.Create(2));

        var dispose = provider.DisposeAsync().AsTask();
        await hung.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(dispose.IsCompleted);

        await AdvancePastShutdownTimeout(time, dispose);

        Assert.Equal(2, healthy.Records.Count);
        var stats = tracker.Statistics;
        Assert.Equal(2, stats.DroppedBySinks);
        Assert.Equal(0, stats.SinkTimeouts); // shutdown gave up before the write timeout (30 s)
    }

    [Fact]
    public async Task StopAsync_HealthySink_FlushesEverything()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sink = new TestSink();
        using var host = BuildHost(time, sink);
        await host.StartAsync();
        var tracker = host.Services.GetRequiredService<ILlmCostTracker>();
        for (var i = 0; i < 1000; i++)
        {
            tracker.Track(Records.Create(i));
        }

        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1000, sink.Records.Count);
        Assert.Equal(1000, tracker.Statistics.RecordsWritten);
    }
}
