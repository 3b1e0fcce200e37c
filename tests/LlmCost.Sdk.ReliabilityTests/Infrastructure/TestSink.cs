namespace LlmCost.Sdk.ReliabilityTests;

/// <summary>A sink whose behaviour each test sets: a callback before the records are kept.</summary>
internal sealed class TestSink : ICostSink
{
    private readonly Lock _lock = new();
    private readonly List<CostRecord> _records = [];
    private int _calls;

    public Func<IReadOnlyList<CostRecord>, CancellationToken, int, Task>? OnWrite { get; set; }

    /// <summary>Gets a task that completes when the sink is first called.</summary>
    public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls => Volatile.Read(ref _calls);

    public IReadOnlyList<CostRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return [.. _records];
            }
        }
    }

    public async Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        Called.TrySetResult();
        if (OnWrite is not null)
        {
            await OnWrite(records, cancellationToken, call);
        }

        lock (_lock)
        {
            _records.AddRange(records);
        }
    }
}
