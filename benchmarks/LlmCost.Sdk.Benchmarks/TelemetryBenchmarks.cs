using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// The metrics path's cost per record: <see cref="LlmCostInstrumentation.RecordMetrics"/> for one priced HTTP record
/// (no span: the HTTP path without a trace listener).
/// <list type="bullet">
/// <item><c>NoListener</c> (baseline): nobody listens to the meter, so every instrument is disabled and nothing is built.</item>
/// <item><c>Listener</c>: a <see cref="MeterListener"/> with no-op callbacks on all three instruments, default options:
/// the SDK's own cost (tag lists, the cardinality limiter) without an exporter's aggregation.</item>
/// <item><c>Listener_CustomerAndCustomTag</c>: the same with the customer and one custom tag on the cost metric
/// (nine attributes, past <c>TagList</c>'s eight inline slots).</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private static readonly CostRecord Record = new()
    {
        Id = Guid.CreateVersion7(new DateTimeOffset(2026, 11, 23, 15, 0, 0, TimeSpan.Zero)),
        Timestamp = new DateTimeOffset(2026, 11, 23, 15, 0, 0, TimeSpan.Zero),
        Provider = "openai",
        Operation = "chat",
        Model = "gpt-4o-2024-08-06",
        RequestModel = "gpt-4o",
        StatusCode = 200,
        DurationMs = 812.4,
        Tags = new LlmCostTags
        {
            Feature = "ticket-triage",
            Team = "search",
            Customer = "acme",
            Environment = "production",
            Custom = { ["region"] = "eu" },
        },
        Usage = new TokenUsage { InputTokens = 1200, CachedInputTokens = 1024, OutputTokens = 350, Source = UsageSource.Provider },
        Cost = new CostBreakdown { Currency = "USD", Input = 0.00044m, CachedInput = 0.00128m, Output = 0.0035m, Total = 0.00522m },
    };

    private ServiceProvider? _services;
    private MeterListener? _listener;
    private LlmCostInstrumentation _instrumentation = null!;

    [GlobalSetup(Target = nameof(NoListener))]
    public void SetupNoListener() => Build(listen: false, customerAndCustom: false);

    [GlobalSetup(Target = nameof(Listener))]
    public void SetupListener() => Build(listen: true, customerAndCustom: false);

    [GlobalSetup(Target = nameof(Listener_CustomerAndCustomTag))]
    public void SetupListenerWide() => Build(listen: true, customerAndCustom: true);

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _services?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void NoListener() => _instrumentation.RecordMetrics(Record);

    [Benchmark]
    public void Listener() => _instrumentation.RecordMetrics(Record);

    [Benchmark]
    public void Listener_CustomerAndCustomTag() => _instrumentation.RecordMetrics(Record);

    private void Build(bool listen, bool customerAndCustom)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Telemetry.IncludeCustomerInMetrics = customerAndCustom;
            if (customerAndCustom)
            {
                o.Telemetry.CustomTagsInMetrics.Add("region");
            }
        });
        _services = services.BuildServiceProvider();
        _instrumentation = _services.GetRequiredService<LlmCostInstrumentation>();
        if (listen)
        {
            var meter = _instrumentation.Meter;
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (ReferenceEquals(instrument.Meter, meter))
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _listener.Start();
        }
    }
}
