namespace LlmCost.Sdk;

/// <summary>
/// The SDK's record pipeline: accepts cost records, batches them in the background and writes them to every sink.
/// </summary>
/// <remarks>
/// Resolve it from the service provider. Disposing the provider or stopping the host flushes every pending record
/// (within <see cref="LlmCostOptions.ShutdownTimeout"/>). All members are thread-safe and never throw into an LLM call.
/// </remarks>
public interface ILlmCostTracker
{
    /// <summary>Gets counters that tell what the pipeline did, including what it dropped and why.</summary>
    LlmCostStatistics Statistics { get; }

    /// <summary>
    /// Queues a record for the sinks, for records made outside the HTTP handler (for example by a custom client).
    /// </summary>
    /// <param name="record">The record.</param>
    /// <returns><see langword="false"/> when the queue is full or shut down; the record is then counted as dropped.</returns>
    bool Track(CostRecord record);

    /// <summary>
    /// Waits until every record queued before this call has been offered to every sink (written, or given up after retries).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; records still go on to the sinks.</param>
    /// <returns>A task that completes when the records are written.</returns>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates an HTTP handler that tracks the calls sent through it, for an <see cref="HttpClient"/> not made by <c>IHttpClientFactory</c>.</summary>
    /// <param name="defaultTags">Tags for every call through this handler, below request tags and the ambient scope.</param>
    /// <returns>A handler; set its <see cref="DelegatingHandler.InnerHandler"/> (for example to a <see cref="SocketsHttpHandler"/>).</returns>
    DelegatingHandler CreateHandler(LlmCostTags? defaultTags = null);
}
