namespace LlmCost.Sdk;

/// <summary>The live counters behind <see cref="LlmCostStatistics"/>.</summary>
internal sealed class LlmCostCounters
{
    private long _queued;
    private long _droppedQueueFull;
    private long _written;
    private long _droppedBySinks;
    private long _sinkFailures;
    private long _unpriced;
    private long _malformed;
    private long _missingUsage;
    private long _internalErrors;

    public void Queued() => Interlocked.Increment(ref _queued);

    public long DroppedQueueFull() => Interlocked.Increment(ref _droppedQueueFull);

    public void Written(int count) => Interlocked.Add(ref _written, count);

    public void DroppedBySink(int count) => Interlocked.Add(ref _droppedBySinks, count);

    public void SinkFailed() => Interlocked.Increment(ref _sinkFailures);

    public void Unpriced() => Interlocked.Increment(ref _unpriced);

    public void Malformed() => Interlocked.Increment(ref _malformed);

    public void MissingUsage() => Interlocked.Increment(ref _missingUsage);

    public void InternalError() => Interlocked.Increment(ref _internalErrors);

    public LlmCostStatistics Snapshot() => new()
    {
        Queued = Volatile.Read(ref _queued),
        DroppedQueueFull = Volatile.Read(ref _droppedQueueFull),
        Written = Volatile.Read(ref _written),
        DroppedBySinks = Volatile.Read(ref _droppedBySinks),
        SinkFailures = Volatile.Read(ref _sinkFailures),
        Unpriced = Volatile.Read(ref _unpriced),
        MalformedResponses = Volatile.Read(ref _malformed),
        MissingUsage = Volatile.Read(ref _missingUsage),
        InternalErrors = Volatile.Read(ref _internalErrors),
    };
}
