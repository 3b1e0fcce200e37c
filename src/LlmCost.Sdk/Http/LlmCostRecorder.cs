using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Turns tracked calls into priced records: starts an observation for each LLM call (attribution, provider,
/// timing) and, when it finishes, normalizes usage, prices it and queues the record. Shared by every handler.
/// </summary>
internal sealed class LlmCostRecorder
{
    private const int MaxWarnedModels = 256;

    private readonly LlmCostPipeline _pipeline;
    private readonly PriceTable _prices;
    private readonly PriceResolver _resolver;
    private readonly ProviderEndpoints _endpoints;
    private readonly LlmCostCounters _counters;
    private readonly LlmCostInstrumentation _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CostTags _defaults;
    private readonly bool _enabled;
    private readonly bool _estimate;
    private readonly bool _requestStreamUsage;
    private readonly UsageEstimator _estimator;
    private readonly ConcurrentDictionary<string, byte> _warnedModels = new(StringComparer.Ordinal);
    private readonly RecordIdGenerator _ids = new();

    public LlmCostRecorder(
        LlmCostPipeline pipeline,
        PriceTable prices,
        IOptions<LlmCostOptions> options,
        LlmCostCounters counters,
        LlmCostInstrumentation telemetry,
        TimeProvider time,
        ILogger<LlmCostRecorder> logger,
        UsageEstimator estimator)
    {
        var o = options.Value;
        _pipeline = pipeline;
        _prices = prices;
        _resolver = new PriceResolver(prices, o.ModelAliases.AsReadOnly());
        _endpoints = new ProviderEndpoints(o.Endpoints);
        _counters = counters;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
        _enabled = o.Enabled;
        _estimate = o.EstimateMissingUsage;
        _requestStreamUsage = o.RequestStreamUsage;
        _estimator = estimator;
        var defaults = TagMerger.Freeze(o.DefaultTags);
        _defaults = defaults with { Environment = defaults.Environment ?? o.Environment };
    }

    public PriceTable Prices => _prices;

    /// <summary>Gets a value indicating whether tracking is on.</summary>
    public bool Enabled => _enabled;

    /// <summary>Gets a value indicating whether calls without usage are estimated (<see cref="LlmCostOptions.EstimateMissingUsage"/>).</summary>
    public bool EstimatesMissingUsage => _estimate;

    /// <summary>Gets the estimator of calls without usage.</summary>
    public UsageEstimator Estimator => _estimator;

    /// <summary>Combines a client's default tags with the options' defaults; done once per handler, not per call.</summary>
    public CostTags WithDefaults(CostTags clientDefaults) => TagMerger.Merge(clientDefaults, _defaults);

    /// <summary>Starts observing a request, or returns <see langword="null"/> when it is not an LLM call to track.</summary>
    /// <param name="request">The request.</param>
    /// <param name="clientDefaults">The client's defaults, already combined by <see cref="WithDefaults"/>.</param>
    /// <param name="providerOverride">The provider the client is pinned to, if any.</param>
    public CallObservation? TryBegin(HttpRequestMessage request, CostTags clientDefaults, string? providerOverride)
    {
        if (!_enabled || !_endpoints.TryResolve(request, providerOverride, out var target))
        {
            return null;
        }

        // An AI-client decorator around this call stands aside: the HTTP record, read from the bytes, is the one kept.
        var aiCall = AiClientCallContext.Current;
        aiCall?.MarkTrackedByHttp();

        var tags = _telemetry.WithBaggage(clientDefaults);
        if (LlmCostScope.Current is { } scope)
        {
            tags = TagMerger.Merge(scope.Tags, tags);
        }

        if (aiCall?.Tags is { } aiCallTags)
        {
            // The decorator's per-call tags and defaults (already over the scope) keep their place in the HTTP record.
            tags = TagMerger.Merge(aiCallTags, tags);
        }

        if (request.Options.TryGetValue(LlmCostTags.RequestOptionsKey, out var requestTags))
        {
            tags = TagMerger.Merge(TagMerger.Freeze(requestTags), tags);
        }

        var call = new CallObservation(this, target, tags, _time.GetUtcNow(), _time.GetTimestamp(), LlmCostInstrumentation.StartActivity(target));
        if (request.Content is { } content)
        {
            // A request sent again (an outer retry) is unwrapped first, so wrappers never nest.
            var original = content is ObservedRequestContent observed ? observed.Inner : content;
            if (_requestStreamUsage && original is not StreamUsageRequestContent && StreamUsageRequestContent.Applies(target, request.RequestUri))
            {
                // Ask the provider for the usage of a stream rather than estimating it (opt-in: the app sees one more chunk).
                original = new StreamUsageRequestContent(original);
            }

            request.Content = new ObservedRequestContent(original, call);
        }

        return call;
    }

    /// <summary>Builds the record of a finished HTTP call and queues it. Runs once per call.</summary>
    public void Complete(CallObservation call)
    {
        var target = call.Target;
        if (call.Malformed && call.ErrorType is null)
        {
            _counters.Malformed();
            Log.MalformedResponse(_logger, target.Provider, call.StatusCode);
        }

        try
        {
            var facts = new LlmCallFacts
            {
                Provider = target.Provider,
                Operation = target.Operation,
                Model = call.Model,
                RequestModel = call.RequestModel,
                ServiceTier = call.Usage.ServiceTier,
                Region = target.Region,
                ReportedCost = call.Usage.ReportedCost,
                Streaming = call.Streaming,
                StatusCode = call.StatusCode,
                ErrorType = call.ErrorType,
                Timestamp = call.Timestamp,
                Duration = _time.GetElapsedTime(call.StartTimestamp),
                Tags = call.Tags,
                Usage = call.Usage.ToUsage(),
                Activity = call.Activity,
                FromHttp = true,
            };

            if (!TryEstimate(call, in facts))
            {
                Record(in facts);
            }
        }
        finally
        {
            // The span ends with the call even if recording failed (that failure is counted by the caller).
            if (call.Activity is { } activity)
            {
                try
                {
                    LlmCostInstrumentation.StopActivity(activity);
                }
                catch (Exception ex)
                {
                    OnTelemetryError(ex);
                }
            }
        }
    }

    /// <summary>
    /// Hands a streamed call that reported no usage to the estimator, with the text captured from it; the estimator records
    /// it later, off the call's path. Returns <see langword="false"/> when the call is to be recorded now: it has usage,
    /// nothing was captured, it failed with an error status, or the estimator's queue is full.
    /// </summary>
    private bool TryEstimate(CallObservation call, in LlmCallFacts facts)
    {
        if (!_estimate || facts.Usage.Source != UsageSource.None || facts.StatusCode is not (>= 200 and < 300)
            || !call.TryTakeCaptures(out var request, out var response))
        {
            return false;
        }

        var job = new EstimationJob
        {
            Recorder = this,

            // The span ends with the call, before the estimate exists: the estimated record tags no span.
            Facts = facts with { Activity = null },
            Request = request,
            Response = response,
            Chat = facts.Operation == LlmOperations.Chat,
        };

        if (_estimator.TryEnqueue(job))
        {
            return true;
        }

        job.Release();
        return false;
    }

    /// <summary>
    /// Prices one finished call, builds its record and queues it: the one path shared by the HTTP handler and the
    /// AI-client decorators. Never throws for unknown models or missing usage; those are counted.
    /// </summary>
    public CostRecord Record(in LlmCallFacts call)
    {
        var usage = call.Usage;
        var model = call.Model;
        CostBreakdown? cost = null;
        PriceReference? price = null;
        if (usage.Source == UsageSource.None && call.ErrorType is null)
        {
            // A successful call that reported no usage (a stream without include_usage, a body never read):
            // its tokens were billed but are unknown, so its cost is unknown too, never a silent $0.
            _counters.MissingUsage();
        }
        else if (call.ReportedCost is { } reported)
        {
            // The provider billed this amount and said so (OpenRouter): it is the truth, whatever the table says.
            cost = new CostBreakdown { Currency = "USD", Total = reported, ReportedByProvider = true };
        }
        else if (!_resolver.TryPrice(call.Provider, model, call.RequestModel, usage, call.Timestamp, call.ServiceTier, call.Region, out cost, out price)
            && usage.Source != UsageSource.None)
        {
            _counters.Unpriced();
            var unpriced = model ?? call.RequestModel ?? "(none)";
            if (_warnedModels.Count < MaxWarnedModels && _warnedModels.TryAdd(call.Provider + "/" + unpriced, 0))
            {
                Log.UnknownModel(_logger, call.Provider, unpriced);
            }
        }

        var record = new CostRecord
        {
            Id = _ids.Next(call.Timestamp),
            Timestamp = call.Timestamp,
            Provider = call.Provider,
            Operation = call.Operation,
            Model = model,
            RequestModel = call.RequestModel,
            ServiceTier = call.ServiceTier,
            Region = call.Region,
            Streaming = call.Streaming,
            StatusCode = call.StatusCode,
            ErrorType = call.ErrorType,
            DurationMs = Math.Max(0, call.Duration.TotalMilliseconds), // a clock that ran backwards never gives a negative duration
            Tags = call.Tags,
            Usage = usage,
            Cost = cost,
            Price = price,
        };

        _pipeline.TryWrite(record);
        try
        {
            _telemetry.OnRecorded(in call, record);
        }
        catch (Exception ex)
        {
            OnTelemetryError(ex);
        }

        return record;
    }

    /// <summary>
    /// Resolves the attribution of a call made outside HTTP (an AI client): the call's own tags over the ambient
    /// scope over OpenTelemetry Baggage over the client's defaults over the options' defaults.
    /// </summary>
    public CostTags ResolveTags(CostTags callTags, CostTags clientDefaults)
    {
        var tags = _telemetry.WithBaggage(WithDefaults(clientDefaults));
        if (LlmCostScope.Current is { } scope)
        {
            tags = TagMerger.Merge(scope.Tags, tags);
        }

        return TagMerger.Merge(callTags, tags);
    }

    /// <summary>Gets the time provider, for callers that time calls themselves.</summary>
    public TimeProvider Time => _time;

    /// <summary>
    /// Puts a record's usage, cost and attribution on a span, for an AI-client decorator whose span is not
    /// <see cref="Activity.Current"/> when it records (<see cref="Record"/> tags <see cref="Activity.Current"/> otherwise). Never throws.
    /// </summary>
    public void TagActivity(Activity? activity, CostRecord record)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        try
        {
            LlmCostInstrumentation.TagSpan(activity, record);
        }
        catch (Exception ex)
        {
            OnTelemetryError(ex);
        }
    }

    public void OnInternalError(Exception exception)
    {
        _counters.InternalError();
        Log.InternalError(_logger, exception);
    }

    private void OnTelemetryError(Exception exception)
    {
        _counters.InternalError();
        Log.TelemetryFailed(_logger, exception);
    }
}
