using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.ReliabilityTests.Usage;

/// <summary>A clock that runs backwards (a VM migrated, a bad TimeProvider) never gives a negative duration.</summary>
public class ClockTests
{
    private sealed class BackwardsClock : TimeProvider
    {
        private long _ticks = 1_000_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref _ticks, -TimeSpan.TicksPerSecond);
    }

    [Fact]
    public async Task ClockRunsBackwards_DurationIsClampedToZero()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new BackwardsClock());
        services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.Zero).AddInMemorySink();
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ILlmCostTracker>();
        var handler = tracker.CreateHandler();
        handler.InnerHandler = new ChatHandler();
        using var client = new HttpClient(handler);

        using (var response = await client.SendAsync(ChatHandler.OpenAIRequest()))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        await tracker.FlushAsync();
        var record = Assert.Single(provider.GetRequiredService<InMemoryCostSink>().Records);
        Assert.Equal(0, record.DurationMs);
    }
}
