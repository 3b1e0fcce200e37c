using System.Diagnostics.Metrics;

namespace LlmCost.Sdk;

/// <summary>
/// Publishes the SDK's own counters (<see cref="ILlmCostTracker.Statistics"/>) as observable metrics on the
/// <see cref="LlmCostTelemetry.MeterName"/> meter, under <c>llmcost.pipeline.*</c>: what was queued, written, dropped
/// (by reason) and failed, so a dashboard shows when cost data is being lost.
/// </summary>
/// <remarks>
/// Observable instruments: nothing runs until a listener collects, and then each reads the counters (a snapshot), so the
/// call path pays nothing. One per service provider, with the meter from its <see cref="IMeterFactory"/> (the same meter
/// as the call metrics). The counters' meaning is <see cref="LlmCostStatistics"/>'s.
/// </remarks>
internal sealed class LlmCostPipelineMetrics : IDisposable
{
    /// <summary>The reason attribute on <see cref="RecordsDroppedName"/>: <c>queue_full</c> or <c>sink</c>.</summary>
    public const string ReasonKey = "llmcost.pipeline.drop.reason";

    public const string RecordsQueuedName = "llmcost.pipeline.records.queued";
    public const string RecordsWrittenName = "llmcost.pipeline.records.written";
    public const string RecordsDroppedName = "llmcost.pipeline.records.dropped";
    public const string SinkFailuresName = "llmcost.pipeline.sink.failures";
    public const string UnpricedName = "llmcost.pipeline.calls.unpriced";
    public const string MissingUsageName = "llmcost.pipeline.calls.missing_usage";
    public const string MalformedName = "llmcost.pipeline.responses.malformed";
    public const string InternalErrorsName = "llmcost.pipeline.internal_errors";
    public const string SinkTimeoutsName = "llmcost.pipeline.sink.timeouts";
    public const string ReplayedName = "llmcost.pipeline.records.replayed";
    public const string AbandonedName = "llmcost.pipeline.responses.abandoned";
    public const string PartialUsageName = "llmcost.pipeline.calls.partial_usage";
    public const string PricedAsRequestModelName = "llmcost.pipeline.calls.priced_as_request_model";

    private readonly Meter? _ownedMeter;

    public LlmCostPipelineMetrics(LlmCostCounters counters, IMeterFactory? meterFactory = null)
    {
        var options = new MeterOptions(LlmCostTelemetry.MeterName) { Version = typeof(LlmCostPipelineMetrics).Assembly.GetName().Version?.ToString() };
        Meter meter;
        if (meterFactory is not null)
        {
            meter = meterFactory.Create(options);
        }
        else
        {
            meter = _ownedMeter = new Meter(options);
        }

        meter.CreateObservableCounter(RecordsQueuedName, () => counters.Snapshot().Queued, "{record}",
            "Cost records queued for the sinks.");
        meter.CreateObservableCounter(RecordsWrittenName, () => counters.Snapshot().RecordsWritten, "{record}",
            "Cost records that every sink accepted.");
        meter.CreateObservableCounter(RecordsDroppedName, () => Dropped(counters.Snapshot()), "{record}",
            "Cost records lost: reason queue_full (the queue was full or shut down) or sink (a sink failed every retry or fell behind).");
        meter.CreateObservableCounter(SinkFailuresName, () => counters.Snapshot().SinkFailures, "{failure}",
            "Failed sink writes, retries included.");
        meter.CreateObservableCounter(UnpricedName, () => counters.Snapshot().Unpriced, "{call}",
            "Calls with usage whose model had no price (recorded with a null cost).");
        meter.CreateObservableCounter(MissingUsageName, () => counters.Snapshot().MissingUsage, "{call}",
            "Successful calls whose response reported no usage.");
        meter.CreateObservableCounter(MalformedName, () => counters.Snapshot().MalformedResponses, "{response}",
            "Responses whose body could not be read as the provider's format.");
        meter.CreateObservableCounter(SinkTimeoutsName, () => counters.Snapshot().SinkTimeouts, "{write}",
            "Sink writes abandoned after the sinks' write timeout.");
        meter.CreateObservableCounter(ReplayedName, () => counters.Snapshot().ReplayedFromSpool, "{record}",
            "Cost records replayed to a sink from the disk spool.");
        meter.CreateObservableCounter(AbandonedName, () => counters.Snapshot().AbandonedResponses, "{response}",
            "Responses the application dropped without reading or disposing them (recorded with errorType abandoned).");
        meter.CreateObservableCounter(PartialUsageName, () => counters.Snapshot().PartialUsage, "{call}",
            "Calls whose response stopped (disposed early or failed) before the provider's final usage report (recorded without usage, with a null cost).");
        meter.CreateObservableCounter(PricedAsRequestModelName, () => counters.Snapshot().PricedAsRequestModel, "{call}",
            "Calls whose response model had no price and that were priced as the requested model.");
        meter.CreateObservableCounter(InternalErrorsName, () => counters.Snapshot().InternalErrors, "{error}",
            "Internal errors caught and logged instead of reaching the application.");
    }

    public void Dispose() => _ownedMeter?.Dispose();

    private static Measurement<long>[] Dropped(LlmCostStatistics statistics) =>
    [
        new(statistics.DroppedQueueFull, new KeyValuePair<string, object?>(ReasonKey, "queue_full")),
        new(statistics.DroppedBySinks, new KeyValuePair<string, object?>(ReasonKey, "sink")),
        new(statistics.DroppedBySpool, new KeyValuePair<string, object?>(ReasonKey, "spool")),
    ];
}
