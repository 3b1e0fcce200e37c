using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmCost.Sdk;

/// <summary>The <see cref="ILlmCostTracker"/> registered by <c>AddLlmCostTracking</c>.</summary>
internal sealed class LlmCostTracker : ILlmCostTracker
{
    private readonly LlmCostPipeline _pipeline;
    private readonly LlmCostRecorder _recorder;
    private readonly LlmCostCounters _counters;
    private readonly BatchOutputReader _batchOutput;

    public LlmCostTracker(LlmCostPipeline pipeline, LlmCostRecorder recorder, LlmCostCounters counters, ILogger<LlmCostTracker>? logger = null)
    {
        _pipeline = pipeline;
        _recorder = recorder;
        _counters = counters;
        _batchOutput = new BatchOutputReader(recorder, counters, logger ?? (ILogger)NullLogger.Instance);
    }

    public LlmCostStatistics Statistics => _counters.Snapshot();

    public bool Track(CostRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _pipeline.TryWrite(record);
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        // Calls waiting for a token estimate are recorded first, so their records are flushed too.
        await _recorder.Estimator.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        await _pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public DelegatingHandler CreateHandler(LlmCostTags? defaultTags = null) =>
        new CostTrackingHandler(_recorder, TagMerger.Freeze(defaultTags), provider: null);

    public Task<int> TrackBatchOutputAsync(Stream output, string provider, LlmCostTags? tags = null, CancellationToken cancellationToken = default) =>
        _batchOutput.ReadAsync(output, provider, tags, cancellationToken);
}
