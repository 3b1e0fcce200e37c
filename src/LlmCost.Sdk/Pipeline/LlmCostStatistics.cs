namespace LlmCost.Sdk;

/// <summary>A snapshot of what the SDK has done since it started. Nothing it loses goes uncounted.</summary>
public sealed record LlmCostStatistics
{
    /// <summary>Gets the number of records queued for the sinks.</summary>
    public long Queued { get; init; }

    /// <summary>Gets the number of records dropped because the queue was full or the pipeline had shut down.</summary>
    public long DroppedQueueFull { get; init; }

    /// <summary>
    /// Gets the number of records that every sink accepted when the pipeline first handed them out: one per record,
    /// however many sinks there are. Records delivered later from the disk spool are counted in
    /// <see cref="ReplayedFromSpool"/> instead.
    /// </summary>
    public long RecordsWritten { get; init; }

    /// <summary>
    /// Gets the number of record deliveries that sinks accepted, replays from the disk spool included: a record written to
    /// two sinks counts twice.
    /// </summary>
    public long SinkWrites { get; init; }

    /// <summary>
    /// Gets the number of record deliveries lost: a sink failed every retry, did not complete a write within
    /// <see cref="LlmCostSinkOptions.WriteTimeout"/>, fell so far behind that its queue was full, or was given up on when
    /// shutdown passed <see cref="LlmCostOptions.ShutdownTimeout"/>. A record lost to two sinks counts twice. With a disk
    /// spool, such records are kept on disk instead and not counted here (see <see cref="DroppedBySpool"/>).
    /// </summary>
    public long DroppedBySinks { get; init; }

    /// <summary>Gets the number of failed sink writes, retries and timed-out writes included.</summary>
    public long SinkFailures { get; init; }

    /// <summary>
    /// Gets the number of sink writes that did not complete within <see cref="LlmCostSinkOptions.WriteTimeout"/>; each is
    /// abandoned (its token cancelled) and also counted in <see cref="SinkFailures"/>.
    /// </summary>
    public long SinkTimeouts { get; init; }

    /// <summary>Gets the number of record deliveries a sink took from the disk spool, after an outage or a restart.</summary>
    public long ReplayedFromSpool { get; init; }

    /// <summary>
    /// Gets the number of record deliveries the disk spool removed before a sink took them, because the spool reached
    /// <see cref="LlmCostOptions.DiskSpoolMaxBytes"/> or the batch was older than <see cref="LlmCostOptions.DiskSpoolMaxAge"/>,
    /// or because a spooled batch could not be read back. A record removed before two sinks took it counts twice.
    /// </summary>
    public long DroppedBySpool { get; init; }

    /// <summary>Gets the number of calls with usage whose model had no price (recorded with a null cost).</summary>
    public long Unpriced { get; init; }

    /// <summary>
    /// Gets the number of successful calls whose response reported no usage (for example an OpenAI stream without
    /// <c>stream_options.include_usage</c>, or a body that was never read); they are recorded with a null cost.
    /// </summary>
    public long MissingUsage { get; init; }

    /// <summary>Gets the number of responses whose body could not be read as the provider's format.</summary>
    public long MalformedResponses { get; init; }

    /// <summary>Gets the number of internal errors that were caught and logged instead of reaching the application.</summary>
    public long InternalErrors { get; init; }

    /// <summary>
    /// Gets the number of responses the application dropped without reading them to the end or disposing them: each is
    /// still recorded (the provider billed it), with <c>errorType: "abandoned"</c> and the usage seen before it was dropped,
    /// once the garbage collector finds it unreachable.
    /// </summary>
    public long AbandonedResponses { get; init; }

    /// <summary>
    /// Gets the number of calls whose response stopped after it had reported part of its usage but before the provider's
    /// final usage report, because the app stopped reading (disposed the response or its stream early) or the read failed
    /// (the record's <see cref="CostRecord.ErrorType"/> then says why). The provider bills what it generated, which the
    /// partial counts do not tell (Anthropic's <c>message_start</c> says 1 output token), so such calls are recorded with
    /// <see cref="UsageSource.None"/> and a <see langword="null"/> cost, and counted here rather than in
    /// <see cref="MalformedResponses"/>: the response was not at fault. A body that ends cleanly before its final usage
    /// report (a stream cut by the provider or a proxy) is counted in <see cref="MalformedResponses"/> instead. Successful
    /// calls among them are also counted in <see cref="MissingUsage"/>.
    /// </summary>
    public long PartialUsage { get; init; }

    /// <summary>
    /// Gets the number of calls whose response named a model the price table does not know and that were priced as the
    /// model the request named (their <see cref="PriceReference.RequestModelFallback"/> is <see langword="true"/>). Each
    /// such model is logged once.
    /// </summary>
    public long PricedAsRequestModel { get; init; }
}
