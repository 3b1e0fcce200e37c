namespace LlmCost.Sdk;

/// <summary>One batch handed to every sink worker; counts its records as written once every sink has taken them.</summary>
internal sealed class SinkBatch
{
    private readonly LlmCostCounters _counters;
    private int _pending;
    private int _failed;

    public SinkBatch(CostRecord[] records, long sequence, int sinks, LlmCostCounters counters)
    {
        Records = records;
        Sequence = sequence;
        _pending = sinks;
        _counters = counters;
    }

    public CostRecord[] Records { get; }

    /// <summary>Gets the batch's number in the disk spool, or 0 without a spool.</summary>
    public long Sequence { get; }

    /// <summary>Called once by each sink worker when it is done with the batch.</summary>
    public void Settle(bool written)
    {
        if (!written)
        {
            Volatile.Write(ref _failed, 1);
        }

        if (Interlocked.Decrement(ref _pending) == 0 && Volatile.Read(ref _failed) == 0)
        {
            _counters.RecordsWritten(Records.Length);
        }
    }
}
