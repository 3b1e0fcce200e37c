namespace LlmCost.Sdk;

/// <summary>
/// A destination for cost records: a file, a log, a database, a queue.
/// </summary>
/// <remarks>
/// The SDK calls <see cref="WriteAsync"/> from one background task per sink, never concurrently for the same sink and
/// never on an application thread. A sink may throw: the batch is retried with backoff
/// (<see cref="LlmCostSinkOptions.MaxRetries"/>) and, if it still fails, counted as dropped and logged.
/// One failing or slow sink never blocks the others or the application.
/// </remarks>
public interface ICostSink
{
    /// <summary>Writes a batch of records.</summary>
    /// <param name="records">The records, oldest first. The list is shared with other sinks: do not keep or modify it.</param>
    /// <param name="cancellationToken">Signalled when the SDK shuts down and its drain timeout has passed.</param>
    /// <returns>A task that completes when the batch is durably written.</returns>
    Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken);
}
