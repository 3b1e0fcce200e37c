namespace LlmCost.Sdk;

/// <summary>
/// The SDK's record pipeline: accepts cost records, batches them in the background and writes them to every sink.
/// </summary>
/// <remarks>
/// <para>
/// Resolve it from the service provider. Disposing the provider or stopping the host flushes every pending record
/// (within <see cref="LlmCostOptions.ShutdownTimeout"/>). All members are thread-safe and never throw into an LLM call.
/// </para>
/// <para>
/// This interface is implemented by the SDK and is meant to be consumed, not implemented (a test double may implement
/// it). Members are added to it in minor versions; each new member comes with a default implementation, so an
/// existing implementation keeps compiling and working.
/// </para>
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

    /// <summary>
    /// Records the calls of a finished batch job from its results file, each priced at the batch rate: an OpenAI (or
    /// Azure OpenAI) Batch API output or error file, or an Anthropic Message Batches results file (JSON Lines).
    /// </summary>
    /// <param name="output">The results file, as downloaded (JSON Lines, UTF-8). It is read to its end, not closed.</param>
    /// <param name="provider">Whose format the file is in: <c>openai</c>, <c>azure.ai.openai</c> or <c>anthropic</c> (<see cref="LlmProviders"/>).</param>
    /// <param name="tags">The attribution of the job, over the ambient <see cref="LlmCostScope"/> and the options' default tags.</param>
    /// <param name="cancellationToken">Stops reading between lines; the records already made stay queued.</param>
    /// <returns>The number of records made (and queued for the sinks): one per result line.</returns>
    /// <remarks>
    /// <para>
    /// Each succeeded line becomes one record with <see cref="CostRecord.ServiceTier"/> <c>batch</c> (so the table's
    /// <c>batch</c> service-tier rates price it), the operation (<c>chat</c>, <c>embeddings</c>) and model the response
    /// body names, usage read by the same mapping as a live call, <see cref="CostRecord.Streaming"/> false, the line's
    /// status code, and the body's <c>created</c> time (Unix seconds) as the timestamp when it has one (otherwise now).
    /// A failed line (an error status, OpenAI's error file, Anthropic's <c>errored</c>, <c>canceled</c> and
    /// <c>expired</c> results) becomes a record with <see cref="CostRecord.ErrorType"/> (the status code, OpenAI's error
    /// code or Anthropic's error type) and no cost.
    /// </para>
    /// <para>
    /// A line that cannot be read is skipped, counted in <see cref="LlmCostStatistics.MalformedResponses"/> and logged;
    /// it never stops the file. This is offline work: each line is parsed whole, so memory grows with the longest line,
    /// not with the file. Nothing is recorded when tracking is disabled.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not a supported batch format.</exception>
    Task<int> TrackBatchOutputAsync(Stream output, string provider, LlmCostTags? tags = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a value indicating whether tracking is on (<see cref="LlmCostOptions.Enabled"/>).</summary>
    /// <value>The default implementation returns <see langword="true"/>.</value>
    bool IsEnabled => true;

    /// <summary>
    /// Begins recording one LLM call made outside the HTTP handler, such as by an AI-client decorator or a custom client.
    /// </summary>
    /// <param name="provider">The provider, as an OpenTelemetry <c>gen_ai.provider.name</c> value (<see cref="LlmProviders"/>).</param>
    /// <param name="operation">The operation, as an OpenTelemetry <c>gen_ai.operation.name</c> value (<see cref="LlmOperations"/>).</param>
    /// <param name="requestModel">The model the request asks for.</param>
    /// <param name="tags">
    /// The call's own tags, over the ambient <see cref="LlmCostScope"/>, OpenTelemetry Baggage and the defaults. Tags that are
    /// not read-only are copied; pass read-only ones (<see cref="LlmCostTags.MakeReadOnly"/>) to avoid the copy.
    /// </param>
    /// <param name="defaultTags">
    /// The caller's default tags (a decorator's), below the scope and above <see cref="LlmCostOptions.DefaultTags"/>; read-only
    /// ones are used as they are, others are copied.
    /// </param>
    /// <returns>
    /// The call; set what the response says and complete it (<see cref="LlmCall.Complete"/> or dispose). When tracking is
    /// disabled, a call that records nothing.
    /// </returns>
    /// <remarks>
    /// The attribution is resolved now, on the caller's flow. See <see cref="LlmCall"/> for the handshake that keeps a call
    /// that also reaches a tracked <see cref="HttpClient"/> from being counted twice. The default implementation throws
    /// <see cref="NotSupportedException"/>.
    /// </remarks>
    LlmCall BeginCall(string provider, string operation, string? requestModel = null, LlmCostTags? tags = null, LlmCostTags? defaultTags = null) =>
        throw new NotSupportedException("This ILlmCostTracker does not record calls.");
}
