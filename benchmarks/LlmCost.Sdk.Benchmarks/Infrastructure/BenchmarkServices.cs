using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>The SDK as the tracked benchmarks build it, and the checks and counters they print around a run.</summary>
internal static class BenchmarkServices
{
    /// <summary>Cost tracking with one sink that discards records, as an app would register it.</summary>
    public static ServiceProvider Create(DiscardSink sink)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Environment = "benchmark";
            o.DefaultTags.Team = "search";
        }).AddSink(sink);
        return services.BuildServiceProvider();
    }

    /// <summary>Flushes and checks that the tracked path really produced a priced record with provider usage.</summary>
    public static void CheckLastRecord(ServiceProvider services, DiscardSink sink, Func<CostRecord, bool> expected)
    {
        services.GetRequiredService<ILlmCostTracker>().FlushAsync().GetAwaiter().GetResult();
        var record = sink.Last ?? throw new InvalidOperationException("The tracked call produced no record.");
        if (record.Usage.Source != UsageSource.Provider || record.Cost is null || !expected(record))
        {
            throw new InvalidOperationException("Unexpected record: " + record.ToJson());
        }

        Console.WriteLine("// sanity record: " + record.ToJson());
    }

    /// <summary>Flushes and prints the pipeline's counters, to read beside a figure that looks too good.</summary>
    public static void PrintStatistics(ServiceProvider services, DiscardSink sink)
    {
        var tracker = services.GetRequiredService<ILlmCostTracker>();
        tracker.FlushAsync().GetAwaiter().GetResult();
        var s = tracker.Statistics;
        Console.WriteLine($"// pipeline: queued={s.Queued} written={s.RecordsWritten} droppedQueueFull={s.DroppedQueueFull} droppedBySinks={s.DroppedBySinks} internalErrors={s.InternalErrors} sinkCount={sink.Count}");
    }
}
