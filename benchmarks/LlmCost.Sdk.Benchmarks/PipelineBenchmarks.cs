using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// The record pipeline (<see cref="LlmCostPipeline"/>), DI-built with default options except the queue capacity.
/// <list type="bullet">
/// <item><c>Enqueue</c>: the cost on the app's call path, <c>TryWrite</c> of a prebuilt record into a queue that the
/// pump drains meanwhile (mean is per record). Each iteration writes 100 x 1,000 records into a queue of 1,000,000 and
/// is followed by a flush, so the queue is never full and every write takes the success path (checked at cleanup).</item>
/// <item><c>Pump_100k</c>: 100,000 records enqueued then <c>FlushAsync</c>, into a sink that only counts (mean is per
/// 100,000 records; records/s = 100,000 / mean), with the default options except a queue that holds all 100,000.</item>
/// <item><c>Pump_100k_SinkQueue256</c>: the same with <c>Sinks.QueueCapacity</c> = 256 batches (default 64), so the
/// sink worker's queue holds the whole burst (196 batches of 512) and nothing is dropped.</item>
/// </list>
/// Drops are printed at cleanup (<c>// pipeline: ...</c> lines in the log): with the default Sinks.QueueCapacity a burst
/// of 100,000 records loses batches at the sink queue even though the sink does nothing.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
[InvocationCount(100, 1)]
public class PipelineBenchmarks
{
    public const int PumpRecords = 100_000;
    private const int EnqueueBatch = 1_000;

    private static readonly CostRecord Record = new()
    {
        Id = Guid.CreateVersion7(new DateTimeOffset(2026, 11, 23, 15, 0, 0, TimeSpan.Zero)),
        Timestamp = new DateTimeOffset(2026, 11, 23, 15, 0, 0, TimeSpan.Zero),
        Provider = "openai",
        Operation = "chat",
        Model = "gpt-4o-2024-08-06",
        RequestModel = "gpt-4o",
        Streaming = true,
        StatusCode = 200,
        DurationMs = 812.4,
        Tags = new LlmCostTags { Feature = "ticket-triage", Team = "search", Customer = "acme", Environment = "production" },
        Usage = new TokenUsage { InputTokens = 1200, CachedInputTokens = 1024, OutputTokens = 350, Source = UsageSource.Provider },
        Cost = new CostBreakdown { Currency = "USD", Input = 0.00044m, CachedInput = 0.00128m, Output = 0.0035m, Total = 0.00522m },
        Price = new PriceReference { TableVersion = "2026.11.1", Entry = "openai/gpt-4o", EffectiveFrom = new DateOnly(2024, 10, 1) },
    };

    private ServiceProvider? _services;
    private LlmCostPipeline _pipeline = null!;
    private LlmCostCounters _counters = null!;
    private CountingSink _sink = null!;
    private long _expected;

    [GlobalSetup(Target = nameof(Enqueue))]
    public void SetupEnqueue() => Build(queueCapacity: 1_000_000, sinkQueueCapacity: null);

    [IterationCleanup(Target = nameof(Enqueue))]
    public void DrainAfterEnqueue() => _pipeline.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    [GlobalSetup(Target = nameof(Pump_100k))]
    public void SetupPump() => Build(queueCapacity: PumpRecords + 1, sinkQueueCapacity: null);

    [GlobalSetup(Target = nameof(Pump_100k_SinkQueue256))]
    public void SetupPumpLargeSinkQueue() => Build(queueCapacity: PumpRecords + 1, sinkQueueCapacity: 256);

    [GlobalCleanup]
    public void Cleanup()
    {
        _pipeline.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
        var s = _counters.Snapshot();
        Console.WriteLine($"// pipeline: queued={s.Queued} written={s.RecordsWritten} droppedQueueFull={s.DroppedQueueFull} droppedBySinks={s.DroppedBySinks} sinkCount={_sink.Count} pumpExpected={_expected}");
        _services!.Dispose();
    }

    [Benchmark(OperationsPerInvoke = EnqueueBatch)]
    public bool Enqueue()
    {
        var ok = true;
        for (var i = 0; i < EnqueueBatch; i++)
        {
            ok &= _pipeline.TryWrite(Record);
        }

        return ok;
    }

    [Benchmark]
    public Task Pump_100k() => PumpAsync();

    [Benchmark]
    public Task Pump_100k_SinkQueue256() => PumpAsync();

    private async Task PumpAsync()
    {
        for (var i = 0; i < PumpRecords; i++)
        {
            _pipeline.TryWrite(Record);
        }

        _expected += PumpRecords;
        await _pipeline.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private void Build(int queueCapacity, int? sinkQueueCapacity)
    {
        _sink = new CountingSink();
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Pipeline.QueueCapacity = queueCapacity;
            if (sinkQueueCapacity is { } capacity)
            {
                o.Sinks.QueueCapacity = capacity;
            }
        }).AddSink(_sink);
        _services = services.BuildServiceProvider();
        _pipeline = _services.GetRequiredService<LlmCostPipeline>();
        _counters = _services.GetRequiredService<LlmCostCounters>();
    }
}
