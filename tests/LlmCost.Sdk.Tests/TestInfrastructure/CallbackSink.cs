namespace LlmCost.Sdk.Tests;

/// <summary>A sink whose behaviour each test sets through callbacks.</summary>
internal sealed class CallbackSink : ICostSink
{
    private readonly Lock _lock = new();
    private readonly List<CostRecord> _records = [];
    private readonly List<int> _batchSizes = [];

    public Func<IReadOnlyList<CostRecord>, CancellationToken, Task>? OnWrite { get; set; }

    public int Calls { get; private set; }

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

    public IReadOnlyList<int> BatchSizes
    {
        get
        {
            lock (_lock)
            {
                return [.. _batchSizes];
            }
        }
    }

    public async Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Calls++;
        }

        if (OnWrite is not null)
        {
            await OnWrite(records, cancellationToken);
        }

        lock (_lock)
        {
            _records.AddRange(records);
            _batchSizes.Add(records.Count);
        }
    }
}
