namespace LlmCost.Sdk;

/// <summary>A snapshot of what the SDK has done since it started. Nothing it loses goes uncounted.</summary>
public sealed record LlmCostStatistics
{
    /// <summary>Gets the number of records queued for the sinks.</summary>
    public long Queued { get; init; }

    /// <summary>Gets the number of records dropped because the queue was full or the pipeline had shut down.</summary>
    public long DroppedQueueFull { get; init; }

    /// <summary>Gets the number of record deliveries that a sink accepted (a record written to two sinks counts twice).</summary>
    public long Written { get; init; }

    /// <summary>Gets the number of record deliveries lost because a sink failed every retry or its queue was full.</summary>
    public long DroppedBySinks { get; init; }

    /// <summary>Gets the number of failed sink writes, retries included.</summary>
    public long SinkFailures { get; init; }

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
}
