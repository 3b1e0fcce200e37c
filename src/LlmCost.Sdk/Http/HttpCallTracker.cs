using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Starts the observation of each HTTP LLM call (provider and operation from the URL, attribution, the SDK's span,
/// the content wrappers) and, when it finishes, hands it to the estimator or the <see cref="LlmCostWriter"/>.
/// Shared by every handler of a service provider.
/// </summary>
internal sealed class HttpCallTracker
{
    private readonly ProviderEndpoints _endpoints;
    private readonly AttributionResolver _attribution;
    private readonly LlmCostWriter _writer;
    private readonly LlmCostCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _enabled;
    private readonly bool _estimate;
    private readonly bool _requestStreamUsage;
    private readonly UsageEstimator _estimator;

    public HttpCallTracker(
        IOptions<LlmCostOptions> options,
        AttributionResolver attribution,
        LlmCostWriter writer,
        LlmCostCounters counters,
        TimeProvider time,
        ILogger<HttpCallTracker> logger,
        UsageEstimator estimator,
        BudgetGuard? guardrails = null)
    {
        Guardrails = guardrails;
        var o = options.Value;
        _endpoints = new ProviderEndpoints(o.Endpoints);
        _attribution = attribution;
        _writer = writer;
        _counters = counters;
        _time = time;
        _logger = logger;
        _enabled = o.Enabled;
        _estimate = estimator.Enabled;
        _requestStreamUsage = o.RequestStreamUsage;
        _estimator = estimator;
    }

    /// <summary>Gets the price table, whose model list lets readers keep model names without allocating.</summary>
    public PriceTable Prices => _writer.Pricer.Table;

    /// <summary>Gets the writer.</summary>
    public LlmCostWriter Writer => _writer;

    /// <summary>Gets the attribution resolver.</summary>
    public AttributionResolver Attribution => _attribution;

    /// <summary>Gets a value indicating whether calls without usage are estimated: an <see cref="ILlmUsageEstimator"/> is registered and <see cref="LlmCostOptions.EstimateMissingUsage"/> is on.</summary>
    public bool EstimatesMissingUsage => _estimate;

    /// <summary>Gets the guardrails' pre-flight check, or <see langword="null"/> when no budget is configured.</summary>
    public BudgetGuard? Guardrails { get; }

    /// <summary>Gets the time provider.</summary>
    public TimeProvider Time => _time;

    /// <summary>
    /// Resolves a request's attribution as <see cref="TryBegin"/> does, without observing it or matching its endpoint (the
    /// guardrails' outermost handler, <see cref="GuardrailHandler"/>, checks budgets before the app's other handlers run).
    /// </summary>
    public CostTags ResolveTags(HttpRequestMessage request, CostTags clientDefaults)
    {
        var requestTags = RequestOptionsPeek.Tags(request) is { } set ? TagMerger.Freeze(set) : null;
        return _attribution.Resolve(clientDefaults, LlmCall.Current?.HttpTags, requestTags);
    }

    /// <summary>Matches a request's endpoint as <see cref="TryBegin"/> does, without observing it; <see langword="false"/> when tracking is off or it is not an LLM call.</summary>
    public bool TryResolveTarget(HttpRequestMessage request, string? providerOverride, [NotNullWhen(true)] out LlmCallTarget? target)
    {
        target = null;
        return _enabled && _endpoints.TryResolve(request, providerOverride, out target);
    }

    /// <summary>Starts observing a request, or returns <see langword="null"/> when it is not an LLM call to track.</summary>
    /// <param name="request">The request.</param>
    /// <param name="clientDefaults">The client's defaults, already combined by <see cref="AttributionResolver.WithDefaults"/>.</param>
    /// <param name="providerOverride">The provider the client is pinned to, if any.</param>
    public CallObservation? TryBegin(HttpRequestMessage request, CostTags clientDefaults, string? providerOverride)
    {
        if (!_enabled || !_endpoints.TryResolve(request, providerOverride, out var target))
        {
            return null;
        }

        // An AI-client call around this request stands aside: the HTTP record, read from the bytes, is the one kept,
        // attributed with the AI-client call's tags below the request's own.
        var aiCall = LlmCall.Current;
        aiCall?.MarkTrackedByHttp();

        var requestTags = RequestOptionsPeek.Tags(request) is { } set ? TagMerger.Freeze(set) : null;
        var tags = _attribution.Resolve(clientDefaults, aiCall?.HttpTags, requestTags);

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

    /// <summary>Hands a finished HTTP call to the estimator or the writer, then ends its span. Runs once per call, on the caller's path.</summary>
    public void Complete(CallObservation call)
    {
        if (call.MarkPartialUsage())
        {
            // Issue 12, item 7: usage seen, but not the provider's final report. Never priced as if complete.
            if (call.EndOfBody && call.ErrorType is null)
            {
                // The body ended cleanly before its final report: the provider (or a proxy) cut the stream.
                _counters.Malformed();
                Log.StreamEndedBeforeFinalUsage(_logger, call.Target.Provider, call.StatusCode);
            }
            else
            {
                // The app stopped reading (disposed the response early) or the read failed: not the provider's fault.
                _counters.PartialUsage();
                Log.StoppedBeforeFinalUsage(_logger, call.Target.Provider, call.StatusCode, call.ErrorType ?? "disposed");
            }
        }
        else if (call.Malformed && call.ErrorType is null)
        {
            _counters.Malformed();
            Log.MalformedResponse(_logger, call.Target.Provider, call.StatusCode);
        }

        var activity = call.Span;
        var estimating = false;
        try
        {
            call.Duration = _time.GetElapsedTime(call.StartTimestamp);
            estimating = !call.Discarded && TryEstimate(call);
            if (!call.Discarded && !estimating)
            {
                _writer.Write(call);
            }
        }
        finally
        {
            // The span ends with the call (the writer tagged it first when it records data). A call handed to the estimator
            // keeps its span open, its end time already set, until the estimated record tags it (UsageEstimator).
            if (activity is not null && !estimating)
            {
                try
                {
                    LlmCostInstrumentation.StopActivity(activity);
                }
                catch (Exception ex)
                {
                    _counters.InternalError();
                    Log.TelemetryFailed(_logger, ex);
                }
            }
        }
    }

    /// <summary>
    /// Hands a streamed call that reported no usage to the estimator, with the text captured from it; the estimator writes
    /// it later, off the call's path. Returns <see langword="false"/> when the call is to be written now: it has usage,
    /// nothing was captured, it failed with an error status, or the estimator's queue is full.
    /// </summary>
    private bool TryEstimate(CallObservation call)
    {
        if (!_estimate || call.Usage.HasUsage || call.StatusCode is not (>= 200 and < 300)
            || !call.TryTakeCaptures(out var request, out var response))
        {
            return false;
        }

        var job = new EstimationJob
        {
            Call = call,
            Request = request,
            Response = response,
        };

        // The span's end is the call's end, set before the job can run: the estimator tags the span with the estimated
        // record (model, usage, cost, attribution, as every other span) and then stops it (issue 12, item 11).
        if (call.Span is { } span)
        {
            LlmCostInstrumentation.SetEnd(span, call.Duration);
        }

        if (_estimator.TryEnqueue(job))
        {
            return true;
        }

        job.Release();
        return false;
    }

    public void OnInternalError(Exception exception) => _writer.OnInternalError(exception);

    /// <summary>Counts a response the app dropped unread (see the finalizer of <see cref="CallObservation"/>); logs the first one.</summary>
    public void OnAbandoned(CallObservation call)
    {
        if (_counters.Abandoned() == 1)
        {
            Log.AbandonedResponse(_logger, call.Target.Provider);
        }
    }
}
