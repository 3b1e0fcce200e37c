namespace LlmCost.Sdk.Benchmarks;

/// <summary>A sink that drops every record but remembers how many it saw and the last one (for sanity checks).</summary>
public sealed class DiscardSink : ICostSink
{
    private long _count;

    public long Count => Volatile.Read(ref _count);

    public CostRecord? Last { get; private set; }

    public Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _count, records.Count);
        if (records.Count > 0)
        {
            Last = records[^1];
        }

        return Task.CompletedTask;
    }
}

/// <summary>A sink that only counts.</summary>
public sealed class CountingSink : ICostSink
{
    private long _count;

    public long Count => Volatile.Read(ref _count);

    public Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _count, records.Count);
        return Task.CompletedTask;
    }
}
