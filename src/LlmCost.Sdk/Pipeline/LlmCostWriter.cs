using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>
/// The one way a call becomes a record in the sinks: every source (the HTTP handler, an AI-client call through
/// <see cref="ILlmCostTracker.BeginCall"/>, the estimator, batch results) writes here. The writer queues the finished call;
/// the pump builds the record, prices it with <see cref="CostPricer"/> and emits its metrics (<see cref="Complete"/>).
/// </summary>
/// <remarks>
/// An HTTP call's own span is tagged and ended on the pump too (its end time set to the call's end). A call that tags a
/// span it does not end (an AI client's GenAI span) is completed on the caller's path instead, because span attributes
/// must be set before the span ends. Never throws: failures are counted in <see cref="LlmCostStatistics.InternalErrors"/>
/// and logged.
/// </remarks>
internal sealed class LlmCostWriter
{
    private const int MaxWarnedModels = 256;

    private readonly LlmCostPipeline _pipeline;
    private readonly CostPricer _pricer;
    private readonly LlmCostCounters _counters;
    private readonly LlmCostInstrumentation _telemetry;
    private readonly ILogger _logger;
    private readonly RecordIdGenerator _ids = new();
    private readonly ConcurrentDictionary<string, byte> _warnedModels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Provider, string Model), byte> _warnedFallbacks = new();

    public LlmCostWriter(LlmCostPipeline pipeline, CostPricer pricer, LlmCostCounters counters, LlmCostInstrumentation telemetry, ILogger logger)
    {
        _pipeline = pipeline;
        _pricer = pricer;
        _counters = counters;
        _telemetry = telemetry;
        _logger = logger;
    }

    /// <summary>Gets the pricer.</summary>
    public CostPricer Pricer => _pricer;

    /// <summary>Gets a value indicating whether the pump is behind (<see cref="LlmCostPipeline.Backlogged"/>).</summary>
    public bool Backlogged => _pipeline.Backlogged;

    /// <summary>
    /// Queues a finished call (the caller's path ends here), or completes it now when a span it does not end itself is to
    /// be tagged (an AI-client call tagging its GenAI span, a call the estimator returns). Never throws.
    /// </summary>
    public void Write(PendingRecord call)
    {
        try
        {
            var span = call.EndsSpanOnPump ? null : SpanToTag(call);
            if (span is null)
            {
                if (!_pipeline.TryWrite(call))
                {
                    call.OnDropped();
                }

                return;
            }

            if (Complete(call) is { } record)
            {
                Tag(span, record);
                _pipeline.TryWrite(record);
            }
        }
        catch (Exception ex)
        {
            OnInternalError(ex);
        }
    }

    /// <summary>Makes a record id (time-ordered, UUID version 7 layout).</summary>
    public Guid NewId(DateTimeOffset timestamp) => _ids.Next(timestamp);

    /// <summary>Prices an unpriced record made whole elsewhere (batch results), emits its metrics and queues it.</summary>
    public CostRecord Write(CostRecord unpriced)
    {
        var record = Finish(_pricer.Price(unpriced, out var outcome), outcome);
        _pipeline.TryWrite(record);
        return record;
    }

    /// <summary>Builds, prices and measures a queued call's record: on the pump, or on the caller's path for a tagged span. Never throws.</summary>
    /// <returns>The record, or <see langword="null"/> when building it failed (counted and logged).</returns>
    public CostRecord? Complete(PendingRecord call)
    {
        try
        {
            var record = call.ToRecord(_ids.Next(call.Timestamp));
            Finish(record, _pricer.PriceNew(record)); // built here, seen by nobody yet: priced in place
            call.Settlement?.Settle(record); // guardrails: the reservation made before sending settles to the real cost
            return record;
        }
        catch (Exception ex)
        {
            OnInternalError(ex);
            return null;
        }
    }

    public void OnInternalError(Exception exception)
    {
        _counters.InternalError();
        Log.InternalError(_logger, exception);
    }

    /// <summary>Counts and logs how a record was priced and emits its metrics.</summary>
    private CostRecord Finish(CostRecord record, PricingOutcome outcome)
    {
        switch (outcome)
        {
            case PricingOutcome.MissingUsage:
                _counters.MissingUsage();
                break;
            case PricingOutcome.UnknownModel:
                _counters.Unpriced();
                var model = record.Model ?? record.RequestModel ?? "(none)";
                if (_warnedModels.Count < MaxWarnedModels && _warnedModels.TryAdd(record.Provider + "/" + model, 0))
                {
                    Log.UnknownModel(_logger, record.Provider, model);
                }

                break;
            case PricingOutcome.Overflow:
                _counters.Unpriced();
                Log.CostOverflow(_logger, record.Provider, record.Model ?? record.RequestModel ?? "(none)", _pricer.CostOverflows);
                break;
        }

        if (record.Price is { RequestModelFallback: true })
        {
            OnPricedAsRequestModel(record);
        }

        try
        {
            _telemetry.RecordMetrics(record);
        }
        catch (Exception ex)
        {
            OnTelemetryError(ex);
        }

        return record;
    }

    /// <summary>Counts a call priced as its requested model because the table lacks the response's; logs each such model once (bounded).</summary>
    private void OnPricedAsRequestModel(CostRecord record)
    {
        _counters.PricedAsRequestModel();
        var model = record.Model ?? "(none)";
        if (_warnedFallbacks.Count < MaxWarnedModels && _warnedFallbacks.TryAdd((record.Provider, model), 0))
        {
            Log.PricedAsRequestModel(_logger, record.Provider, model, record.RequestModel ?? "(none)");
        }
    }

    /// <summary>
    /// The span a call's record goes on: its own span when that records data; for an AI-client call without one, the
    /// current span when it is a GenAI span (such as <c>OpenTelemetryChatClient</c>'s). Any other current span (the app's
    /// request span, shared by many calls) is left alone: per-call attributes would overwrite each other.
    /// </summary>
    private static Activity? SpanToTag(PendingRecord call)
    {
        if (call.Span is { } own)
        {
            return own.IsAllDataRequested ? own : null;
        }

        return call.TagsCurrentGenAISpan && Activity.Current is { } current && LlmCostInstrumentation.IsGenAISpan(current) ? current : null;
    }

    private void Tag(Activity span, CostRecord record)
    {
        try
        {
            LlmCostInstrumentation.TagSpan(span, record);
        }
        catch (Exception ex)
        {
            OnTelemetryError(ex);
        }
    }

    private void OnTelemetryError(Exception exception)
    {
        _counters.InternalError();
        Log.TelemetryFailed(_logger, exception);
    }
}
