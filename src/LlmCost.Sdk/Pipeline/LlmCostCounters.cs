namespace LlmCost.Sdk;

/// <summary>The live counters behind <see cref="LlmCostStatistics"/>.</summary>
internal sealed class LlmCostCounters
{
    private long _queued;
    private long _droppedQueueFull;
    private long _recordsWritten;
    private long _sinkWrites;
    private long _droppedBySinks;
    private long _sinkFailures;
    private long _sinkTimeouts;
    private long _replayed;
    private long _droppedBySpool;
    private long _unpriced;
    private long _malformed;
    private long _missingUsage;
    private long _internalErrors;
    private long _abandoned;
    private long _partialUsage;
    private long _pricedAsRequestModel;

    public void Queued() => Interlocked.Increment(ref _queued);

    public long DroppedQueueFull() => Interlocked.Increment(ref _droppedQueueFull);

    public void RecordsWritten(int count) => Interlocked.Add(ref _recordsWritten, count);

    public void SinkWrote(int count) => Interlocked.Add(ref _sinkWrites, count);

    public void DroppedBySink(int count) => Interlocked.Add(ref _droppedBySinks, count);

    public void SinkFailed() => Interlocked.Increment(ref _sinkFailures);

    public void SinkTimedOut() => Interlocked.Increment(ref _sinkTimeouts);

    public void Replayed(int count) => Interlocked.Add(ref _replayed, count);

    public void DroppedBySpool(int count) => Interlocked.Add(ref _droppedBySpool, count);

    public void Unpriced() => Interlocked.Increment(ref _unpriced);

    public void Malformed() => Interlocked.Increment(ref _malformed);

    public void MissingUsage() => Interlocked.Increment(ref _missingUsage);

    public void InternalError() => Interlocked.Increment(ref _internalErrors);

    public long Abandoned() => Interlocked.Increment(ref _abandoned);
    public void PartialUsage() => Interlocked.Increment(ref _partialUsage);

    public void PricedAsRequestModel() => Interlocked.Increment(ref _pricedAsRequestModel);

    public LlmCostStatistics Snapshot() => new()
    {
        Queued = Volatile.Read(ref _queued),
        DroppedQueueFull = Volatile.Read(ref _droppedQueueFull),
        RecordsWritten = Volatile.Read(ref _recordsWritten),
        SinkWrites = Volatile.Read(ref _sinkWrites),
        DroppedBySinks = Volatile.Read(ref _droppedBySinks),
        SinkFailures = Volatile.Read(ref _sinkFailures),
        SinkTimeouts = Volatile.Read(ref _sinkTimeouts),
        ReplayedFromSpool = Volatile.Read(ref _replayed),
        DroppedBySpool = Volatile.Read(ref _droppedBySpool),
        Unpriced = Volatile.Read(ref _unpriced),
        MalformedResponses = Volatile.Read(ref _malformed),
        MissingUsage = Volatile.Read(ref _missingUsage),
        InternalErrors = Volatile.Read(ref _internalErrors),
        AbandonedResponses = Volatile.Read(ref _abandoned),
        PartialUsage = Volatile.Read(ref _partialUsage),
        PricedAsRequestModel = Volatile.Read(ref _pricedAsRequestModel),
    };
}
