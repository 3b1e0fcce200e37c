using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>The <see cref="ILlmCostTracker"/> registered by <c>AddLlmCostTracking</c>.</summary>
internal sealed class LlmCostTracker : ILlmCostTracker
{
    private readonly LlmCostPipeline _pipeline;
    private readonly HttpCallTracker _http;
    private readonly LlmCostCounters _counters;
    private readonly BatchOutputReader _batchOutput;
    private readonly ILogger _logger;
    private readonly UsageEstimator _estimator;
    private readonly bool _enabled;

    public LlmCostTracker(
        LlmCostPipeline pipeline,
        HttpCallTracker http,
        LlmCostCounters counters,
        UsageEstimator estimator,
        IOptions<LlmCostOptions> options,
        ILogger<LlmCostTracker>? logger = null)
    {
        _pipeline = pipeline;
        _http = http;
        _counters = counters;
        _estimator = estimator;
        _enabled = options.Value.Enabled;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _batchOutput = new BatchOutputReader(http.Writer.NewId, http.Time, http.Prices);
    }

    public LlmCostStatistics Statistics => _counters.Snapshot();

    public bool IsEnabled => _enabled;

    public bool Track(CostRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _pipeline.TryWrite(record);
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        // The pump scans the calls queued so far and hands streams that reported no usage to the estimator; those are
        // recorded once estimated, so a second flush takes their records too.
        await _pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_estimator.Enabled)
        {
            await _estimator.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
            await _pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public DelegatingHandler CreateHandler(LlmCostTags? defaultTags = null) =>
        new CostTrackingHandler(_http, defaultTags?.ToReadOnly() ?? LlmCostTags.Empty, provider: null);

    public async Task<int> TrackBatchOutputAsync(Stream output, string provider, LlmCostTags? tags = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        BatchOutputReader.CheckProvider(provider);
        if (!_enabled)
        {
            return 0;
        }

        // The given tags over the ambient scope over the options' defaults, resolved once for the whole file.
        var attribution = _http.Attribution;
        var resolved = attribution.Resolve(attribution.Defaults, request: tags);
        var records = 0;
        await foreach (var (line, record) in _batchOutput.ReadAsync(output, provider, resolved, cancellationToken).ConfigureAwait(false))
        {
            if (record is null)
            {
                _counters.Malformed();
                Log.MalformedBatchLine(_logger, provider, line);
                continue;
            }

            _http.Writer.Write(record);
            records++;
        }

        return records;
    }

    public LlmCall BeginCall(string provider, string operation, string? requestModel = null, LlmCostTags? tags = null, LlmCostTags? defaultTags = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provider);
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        var callTags = tags?.ToReadOnly() ?? LlmCostTags.Empty;
        var decoratorDefaults = defaultTags?.ToReadOnly() ?? LlmCostTags.Empty;
        if (!_enabled)
        {
            return new LlmCall(writer: null, _http.Time, provider, operation, requestModel, callTags, httpTags: null);
        }

        LlmCostTags resolved;
        LlmCostTags? httpTags = null;
        try
        {
            var attribution = _http.Attribution;
            resolved = attribution.Resolve(attribution.WithDefaults(decoratorDefaults), aiCall: null, request: callTags);
            httpTags = AttributionResolver.ForHttp(callTags, decoratorDefaults);
        }
        catch (Exception ex)
        {
            _http.OnInternalError(ex);
            resolved = callTags;
        }

        return new LlmCall(_http.Writer, _http.Time, provider, operation, requestModel, resolved, httpTags);
    }
}
