using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Where the tracked call's time goes, piece by piece, calling the SDK's internals directly (no HttpClient, no
/// content wrappers): attribution and endpoint resolution, reading the request <c>model</c>, reading the ~1 KiB
/// response, pricing, and the whole observation (begin, observe, finish: price, build the record, queue it).
/// A diagnostic companion to <see cref="HandlerOverheadBenchmarks"/>; its figures are not targets.
/// </summary>
[MemoryDiagnoser]
[ThreadingDiagnoser]
public class HandlerBreakdownBenchmarks
{
    private static readonly byte[] Response = Payloads.OpenAIChatCompletion(contentBytes: 400);

    private ServiceProvider? _services;
    private HttpCallTracker _recorder = null!;
    private LlmCostTags _defaults = null!;
    private HttpRequestMessage _request = null!;
    private HttpResponseMessage _response = null!;
    private PricePeriod _period = null!;
    private TokenUsage _usage = null!;
    private Task? _pendingFlush;

    [GlobalSetup]
    public void Setup() => Setup(blocked: false);

    /// <summary>
    /// Blocks the pipeline: the sink never returns, its queue of one batch is full and a pending flush holds the pump,
    /// so the main queue (capacity 1) stays full and every later <c>TryWrite</c> takes the drop path.
    /// </summary>
    [GlobalSetup(Target = nameof(WholeObservation_QueueFull))]
    public void SetupFullQueue()
    {
        Setup(blocked: true);
        var tracker = _services!.GetRequiredService<ILlmCostTracker>();
        for (var i = 0; i < 3; i++)
        {
            WholeObservation();
            Thread.Sleep(50);
        }

        _pendingFlush = tracker.FlushAsync();
        Thread.Sleep(50);
        for (var i = 0; i < 20 && tracker.Statistics.DroppedQueueFull == 0; i++)
        {
            WholeObservation();
            Thread.Sleep(20);
        }

        if (tracker.Statistics.DroppedQueueFull == 0)
        {
            throw new InvalidOperationException("Could not fill the queue.");
        }
    }

    private void Setup(bool blocked)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Environment = "benchmark";
            o.DefaultTags.Team = "search";
            if (blocked)
            {
                o.Pipeline.QueueCapacity = 1;
                o.Sinks.QueueCapacity = 1;
                o.Pipeline.BatchDelay = TimeSpan.Zero;
                o.ShutdownTimeout = TimeSpan.FromSeconds(1);
            }
        }).AddSink(blocked ? new BlockingSink() : new DiscardSink());
        _services = services.BuildServiceProvider();
        _recorder = _services.GetRequiredService<HttpCallTracker>();
        _defaults = _recorder.Attribution.WithDefaults(LlmCostTags.Empty);
        _request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = new ByteArrayContent(Payloads.OpenAIRequest),
        };
        _response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Response) };
        _response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        if (!_recorder.Prices.TryGetEntry("openai", Payloads.OpenAIModel, out var entry))
        {
            throw new InvalidOperationException("gpt-4o is not priced.");
        }

        _period = entry.PeriodAt(new DateOnly(2026, 11, 23));
        _usage = new TokenUsage { InputTokens = 1200, CachedInputTokens = 1024, OutputTokens = 350, Source = UsageSource.Provider };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var s = _services!.GetRequiredService<ILlmCostTracker>().Statistics;
        Console.WriteLine($"// pipeline: queued={s.Queued} droppedQueueFull={s.DroppedQueueFull}");
        BlockingSink.Release.Set();
        _pendingFlush?.GetAwaiter().GetResult();
        _services!.Dispose();
        BlockingSink.Release.Reset();
    }

    /// <summary>Endpoint resolution, tag merge, the observation object and the request content wrapper.</summary>
    [Benchmark]
    public object Begin() => _recorder.TryBegin(_request, _defaults, providerOverride: null)!;

    /// <summary>Reading the request body for its model (as the body is sent).</summary>
    [Benchmark]
    public string? ReadRequestModel()
    {
        var usage = new UsageAccumulator();
        var json = new JsonScanner(OpenAIUsageMapping.Instance, usage);
        json.Write(Payloads.OpenAIRequest);
        json.Complete();
        json.Release();
        return usage.Model;
    }

    /// <summary>Reading the ~1 KiB non-streaming response for usage and model.</summary>
    [Benchmark]
    public long ReadResponseUsage()
    {
        var usage = new UsageAccumulator();
        var json = new JsonScanner(OpenAIUsageMapping.Instance, usage);
        json.Write(Response);
        json.Complete();
        json.Release();
        return usage.ToUsage().OutputTokens;
    }

    [Benchmark]
    public bool PriceLookup() => _recorder.Prices.TryGetEntry("openai", Payloads.OpenAIModel, out _);

    /// <summary>The record id (<c>Guid.CreateVersion7</c>: 10 random bytes from the OS per call).</summary>
    [Benchmark]
    public Guid RecordId() => Guid.CreateVersion7(DateTimeOffset.UnixEpoch);

    /// <summary>The clock reads of one call: <c>GetUtcNow</c>, <c>GetTimestamp</c> and <c>GetElapsedTime</c>.</summary>
    [Benchmark]
    public double ClockReads()
    {
        var now = TimeProvider.System.GetUtcNow();
        var start = TimeProvider.System.GetTimestamp();
        return TimeProvider.System.GetElapsedTime(start).TotalMilliseconds + now.Offset.TotalMilliseconds;
    }

    [Benchmark]
    public decimal CostCalculation() => CostCalculator.Calculate(_usage, _period, "USD").Total;

    /// <summary>Everything the SDK does per non-streaming call except the HTTP wrappers: begin, read, finish, price, queue.</summary>
    [Benchmark]
    public bool WholeObservation()
    {
        var call = _recorder.TryBegin(_request, _defaults, providerOverride: null)!;
        call.ObserveRequestStart();
        call.ObserveRequest(Payloads.OpenAIRequest);
        call.OnResponse(_response);
        call.Observe(Response);
        call.Finish(endOfBody: true);
        return call.Streaming;
    }

    /// <summary>
    /// The same with a queue that is always full (capacity 1, the sink blocked): <c>TryWrite</c> fails fast and never wakes
    /// the pump, so the difference to <see cref="WholeObservation"/> is the cost of handing a record to the pump.
    /// </summary>
    [Benchmark]
    public bool WholeObservation_QueueFull() => WholeObservation();

    /// <summary>A sink that blocks until released, so the pipeline backs up (used only by the full-queue variant).</summary>
    private sealed class BlockingSink : ICostSink
    {
        public static readonly ManualResetEventSlim Release = new(initialState: false);

        public Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken) =>
            Task.Run(() => Release.Wait(cancellationToken), cancellationToken);
    }
}
