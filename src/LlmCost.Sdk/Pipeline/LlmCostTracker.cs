namespace LlmCost.Sdk;

/// <summary>The <see cref="ILlmCostTracker"/> registered by <c>AddLlmCostTracking</c>.</summary>
internal sealed class LlmCostTracker : ILlmCostTracker
{
    private readonly LlmCostPipeline _pipeline;
    private readonly LlmCostRecorder _recorder;
    private readonly LlmCostCounters _counters;

    public LlmCostTracker(LlmCostPipeline pipeline, LlmCostRecorder recorder, LlmCostCounters counters)
    {
        _pipeline = pipeline;
        _recorder = recorder;
        _counters = counters;
    }

    public LlmCostStatistics Statistics => _counters.Snapshot();

    public bool Track(CostRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _pipeline.TryWrite(record);
    }

    public Task FlushAsync(CancellationToken cancellationToken = default) => _pipeline.FlushAsync(cancellationToken);

    public DelegatingHandler CreateHandler(LlmCostTags? defaultTags = null) =>
        new CostTrackingHandler(_recorder, TagMerger.Freeze(defaultTags), provider: null);
}
