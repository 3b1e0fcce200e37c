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

        var requestTags = request.Options.TryGetValue(LlmCostTags.RequestOptionsKey, out var set) ? TagMerger.Freeze(set) : null;
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
        if (call.Malformed && call.ErrorType is null)
        {
            _counters.Malformed();
            Log.MalformedResponse(_logger, call.Target.Provider, call.StatusCode);
        }

        var activity = call.Span;
        try
        {
            call.Duration = _time.GetElapsedTime(call.StartTimestamp);
            if (!call.Discarded && !TryEstimate(call))
            {
                _writer.Write(call);
            }
        }
        finally
        {
            // The span ends with the call (the writer tagged it first when it records data).
            if (activity is not null)
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

        if (_estimator.TryEnqueue(job))
        {
            // The span ends with the call, before the estimate exists: the estimated record tags no span.
            call.DetachSpan();
            return true;
        }

        job.Release();
        return false;
    }

    public void OnInternalError(Exception exception) => _writer.OnInternalError(exception);
}
