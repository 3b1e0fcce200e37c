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

internal static class TestRecords
{
    public static CostRecord Create(int n = 0) => new()
    {
        Id = Guid.CreateVersion7(),
        Timestamp = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero),
        Provider = "openai",
        Operation = "chat",
        Model = "gpt-4o",
        Tags = new CostTags { Feature = "f" + n },
    };

    /// <summary>Polls a condition on the real clock, for effects of background work; fails after the timeout.</summary>
    public static async Task Eventually(Func<bool> condition, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail("The condition was not met in time.");
            }

            await Task.Delay(10);
        }
    }
}
