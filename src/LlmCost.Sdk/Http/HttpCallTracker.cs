using System.Buffers;
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
    private readonly bool _systemClock; // the wall-clock start is then worked out on the pump (CallObservation.Timestamp)
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
        _systemClock = ReferenceEquals(time, TimeProvider.System);
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
    public LlmCostTags ResolveTags(HttpRequestMessage request, LlmCostTags clientDefaults)
    {
        var requestTags = RequestOptionsPeek.Tags(request);
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
    public CallObservation? TryBegin(HttpRequestMessage request, LlmCostTags clientDefaults, string? providerOverride)
    {
        if (!_enabled || !_endpoints.TryResolve(request, providerOverride, out var target))
        {
            return null;
        }

        // An AI-client call around this request stands aside: the HTTP record, read from the bytes, is the one kept,
        // attributed with the AI-client call's tags below the request's own.
        var aiCall = LlmCall.Current;
        aiCall?.MarkTrackedByHttp();

        var requestTags = RequestOptionsPeek.Tags(request);
        var tags = _attribution.Resolve(clientDefaults, aiCall?.HttpTags, requestTags);

        var call = new CallObservation(this, target, tags, _systemClock ? 0 : _time.GetUtcNow().UtcTicks, _time.GetTimestamp(), LlmCostInstrumentation.StartActivity(target));
        if (request.Content is { } content)
        {
            // A request sent again (an outer retry) is unwrapped first, so wrappers never nest.
            var original = content is ObservedRequestContent observed ? observed.Inner : content;
            if (_requestStreamUsage && original is not StreamUsageRequestContent && StreamUsageRequestContent.Applies(target, request.RequestUri))
            {
                // Ask the provider for the usage of a stream rather than estimating it (opt-in: the app sees one more chunk).
                original = new StreamUsageRequestContent(original);
            }

            if (!ReferenceEquals(original, content) || !call.TryObserveWholeRequest(original))
            {
                request.Content = new ObservedRequestContent(original, call);
            }
        }

        return call;
    }

    /// <summary>
    /// Hands a finished HTTP call to the writer, which queues it: the caller's path ends here (the call's duration is taken
    /// now). The pump scans what is left of its bytes and calls <see cref="OnScanned"/>. Runs once per call.
    /// </summary>
    public void Complete(CallObservation call)
    {
        call.Duration = _time.GetElapsedTime(call.StartTimestamp);
        if (call.Discarded)
        {
            call.EndDiscarded();
            return;
        }

        _writer.Write(call);
    }

    /// <summary>
    /// On the pump, once a call's bytes are all scanned: counts a response that was malformed or stopped before its final
    /// usage, and hands a stream that reported no usage to the estimator. Returns <see langword="true"/> when the estimator
    /// took it (it writes the record later, through the writer); otherwise the pump builds the record now.
    /// </summary>
    public bool OnScanned(CallObservation call)
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

        return TryEstimate(call);
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

        call.Estimating = true; // before the job can run: the estimator, not the pump, tags and ends the span
        if (_estimator.TryEnqueue(job))
        {
            return true;
        }

        call.Estimating = false;
        job.Release();
        return false;
    }

    public void OnInternalError(Exception exception) => _writer.OnInternalError(exception);

    /// <summary>Counts and logs a failure of the SDK's own telemetry (a span that could not be tagged or ended).</summary>
    public void OnTelemetryError(Exception exception)
    {
        _counters.InternalError();
        Log.TelemetryFailed(_logger, exception);
    }

    /// <summary>
    /// The calls' bounded copies (4, 8 and 16 KiB): rented on the app's threads, returned on the pump's. A pool of their
    /// own rather than <see cref="ArrayPool{T}.Shared"/>, whose per-thread slots keep the first buffer of each size a thread
    /// returns where only that thread (the pump) would rent it again; bounded to 64 buffers of each size, so at most
    /// 1.75 MiB is kept idle. Process-wide, as <see cref="ArrayPool{T}.Shared"/> is: buffers hold no state between calls.
    /// </summary>
    private static readonly ArrayPool<byte> CopyPool = ArrayPool<byte>.Create(CallObservation.CopyBytes, 64);

    /// <summary>Gets or sets the pool of the calls' bounded copies (<see cref="CallObservation.CopyBytes"/>). Tests put a counting pool here.</summary>
    internal ArrayPool<byte> BufferPool { get; set; } = CopyPool;

    private JsonScanner? _spareScanner;
    private UsageAccumulator? _spareUsage;

    /// <summary>
    /// Gets a usage accumulator for a call: the one the last finished call gave back (<see cref="Return"/>), made new, or
    /// a new one. Calls are read one after another on the pump, so one spare is enough to make a record's per-call
    /// readers cost no allocation in steady state; calls read at the same time (on the app's threads) simply make theirs.
    /// </summary>
    public UsageAccumulator RentUsage()
    {
        var usage = Interlocked.Exchange(ref _spareUsage, null);
        if (usage is null)
        {
            return new UsageAccumulator(Prices);
        }

        usage.Reset(Prices);
        return usage;
    }

    /// <summary>Gets a scanner reading with <paramref name="mapping"/> into <paramref name="usage"/>: the spare one made new, or a new one.</summary>
    public JsonScanner RentScanner(UsageMapping mapping, UsageAccumulator usage) =>
        Interlocked.Exchange(ref _spareScanner, null)?.Rebind(mapping, usage) ?? new JsonScanner(mapping, usage);

    /// <summary>
    /// Takes back a finished call's scanner (released) and usage: the call's record is built and nothing reads them again.
    /// The spare slots keep one of each; a second is left to the garbage collector.
    /// </summary>
    public void Return(JsonScanner? scanner, UsageAccumulator? usage)
    {
        if (scanner is not null)
        {
            Volatile.Write(ref _spareScanner, scanner);
        }

        if (usage is not null)
        {
            Volatile.Write(ref _spareUsage, usage);
        }
    }

    /// <summary>Counts a response the app dropped unread (see the finalizer of <see cref="CallObservation"/>); logs the first one.</summary>
    public void OnAbandoned(CallObservation call)
    {
        if (_counters.Abandoned() == 1)
        {
            Log.AbandonedResponse(_logger, call.Target.Provider);
        }
    }
}
