namespace LlmCost.Sdk;

/// <summary>
/// A sink that keeps every record in memory, for tests, samples and in-app dashboards.
/// </summary>
/// <remarks>
/// Registered by <see cref="LlmCostTrackingBuilder.AddInMemorySink"/> as a singleton that can be resolved from the
/// service provider. It grows without bound: keep it out of long-running production processes, or
/// <see cref="Clear"/> it. This type is thread-safe.
/// </remarks>
public sealed class InMemoryCostSink : ICostSink
{
    private readonly List<CostRecord> _records = [];
    private readonly Lock _lock = new();

    /// <summary>Gets a snapshot of the records written so far, oldest first.</summary>
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

    /// <summary>Removes every record.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _records.Clear();
        }
    }

    /// <inheritdoc />
    public Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_lock)
        {
            _records.AddRange(records);
        }

        return Task.CompletedTask;
    }
}
