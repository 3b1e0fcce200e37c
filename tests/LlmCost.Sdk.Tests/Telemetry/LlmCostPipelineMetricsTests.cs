using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LlmCost.Sdk.Tests.Telemetry;

/// <summary>The pipeline's own counters as <c>llmcost.pipeline.*</c> observable metrics, read with <see cref="MetricCollector{T}"/>.</summary>
public class LlmCostPipelineMetricsTests
{
    [Theory]
    [InlineData("llmcost.pipeline.records.queued", "{record}")]
    [InlineData("llmcost.pipeline.records.written", "{record}")]
    [InlineData("llmcost.pipeline.sink.failures", "{failure}")]
    [InlineData("llmcost.pipeline.calls.unpriced", "{call}")]
    [InlineData("llmcost.pipeline.calls.missing_usage", "{call}")]
    [InlineData("llmcost.pipeline.responses.malformed", "{response}")]
    [InlineData("llmcost.pipeline.internal_errors", "{error}")]
    [InlineData("llmcost.pipeline.calls.partial_usage", "{call}")]
    [InlineData("llmcost.pipeline.calls.priced_as_request_model", "{call}")]
    public async Task Collect_CounterIncremented_IsReportedWithItsUnit(string name, string unit)
    {
        Action<LlmCostCounters> increment = name switch
        {
            "llmcost.pipeline.calls.partial_usage" => static c => c.PartialUsage(),
            "llmcost.pipeline.calls.priced_as_request_model" => static c => c.PricedAsRequestModel(),
            "llmcost.pipeline.records.queued" => static c => c.Queued(),
            "llmcost.pipeline.records.written" => static c => c.RecordsWritten(1),
            "llmcost.pipeline.sink.failures" => static c => c.SinkFailed(),
            "llmcost.pipeline.calls.unpriced" => static c => c.Unpriced(),
            "llmcost.pipeline.calls.missing_usage" => static c => c.MissingUsage(),
            "llmcost.pipeline.responses.malformed" => static c => c.Malformed(),
            _ => static c => c.InternalError(),
        };

        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddInMemorySink();
        await using var sp = services.BuildServiceProvider();
        sp.GetRequiredService<ILlmCostTracker>();
        var counters = sp.GetRequiredService<LlmCostCounters>();
        using var collector = new MetricCollector<long>(sp.GetRequiredService<IMeterFactory>(), LlmCostTelemetry.MeterName, name);

        increment(counters);
        increment(counters);
        collector.RecordObservableInstruments();

        Assert.Equal(unit, collector.Instrument!.Unit);
        Assert.False(string.IsNullOrEmpty(collector.Instrument.Description));
        Assert.Equal(2, collector.LastMeasurement!.Value);
    }

    [Fact]
    public async Task Collect_RecordsTrackedAndFlushed_ReportsQueuedAndWritten()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.Zero).AddInMemorySink();
        await using var sp = services.BuildServiceProvider();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();
        var factory = sp.GetRequiredService<IMeterFactory>();
        using var queued = new MetricCollector<long>(factory, LlmCostTelemetry.MeterName, "llmcost.pipeline.records.queued");
        using var written = new MetricCollector<long>(factory, LlmCostTelemetry.MeterName, "llmcost.pipeline.records.written");

        for (var i = 0; i < 3; i++)
        {
            tracker.Track(TestRecords.Create(i));
        }

        await tracker.FlushAsync();
        queued.RecordObservableInstruments();
        written.RecordObservableInstruments();

        Assert.Equal(3, queued.LastMeasurement!.Value);
        Assert.Equal(3, written.LastMeasurement!.Value);
    }

    [Fact]
    public async Task Collect_SinkFailsEveryRetry_ReportsTheDropBySinkAndTheFailures()
    {
        var dead = new CallbackSink { OnWrite = static (_, _) => throw new IOException("disk full") };
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Pipeline.BatchDelay = TimeSpan.Zero;
            o.Sinks.MaxRetries = 1;
            o.Sinks.RetryDelay = TimeSpan.Zero;
        }).AddSink(dead);
        await using var sp = services.BuildServiceProvider();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();
        var factory = sp.GetRequiredService<IMeterFactory>();
        using var dropped = new MetricCollector<long>(factory, LlmCostTelemetry.MeterName, "llmcost.pipeline.records.dropped");
        using var failures = new MetricCollector<long>(factory, LlmCostTelemetry.MeterName, "llmcost.pipeline.sink.failures");

        tracker.Track(TestRecords.Create());
        await tracker.FlushAsync();
        dropped.RecordObservableInstruments();
        failures.RecordObservableInstruments();

        var byReason = dropped.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags["llmcost.pipeline.drop.reason"]!, m => m.Value);
        Assert.Equal(1, byReason["sink"]);
        Assert.Equal(0, byReason["queue_full"]);
        Assert.Equal(2, failures.LastMeasurement!.Value); // the write and its one retry
    }
}
