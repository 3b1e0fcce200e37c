using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>Every log message of the SDK, source-generated, with stable event ids. None carries prompt, completion or key.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "LLM cost records dropped because the queue is full or shut down ({Dropped} so far). Raise LlmCostOptions.Pipeline.QueueCapacity or check the sinks.")]
    public static partial void RecordsDropped(ILogger logger, long dropped);

    [LoggerMessage(2, LogLevel.Warning, "LLM cost sink {Sink} failed (attempt {Attempt}); retrying in {Delay}.")]
    public static partial void SinkRetrying(ILogger logger, string sink, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(3, LogLevel.Error, "LLM cost sink {Sink} failed {Attempts} times; {Count} records were not written to it.")]
    public static partial void SinkGaveUp(ILogger logger, string sink, int count, int attempts, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "LLM cost sink {Sink} is too slow: its queue is full and {Count} records were not written to it.")]
    public static partial void SinkQueueFull(ILogger logger, string sink, int count);

    [LoggerMessage(5, LogLevel.Warning, "No price for model {Model} of provider {Provider}; its calls are recorded with a null cost. Add it with LlmCostOptions.Prices.")]
    public static partial void UnknownModel(ILogger logger, string provider, string model);

    [LoggerMessage(6, LogLevel.Warning, "The {Provider} response could not be read for usage (status {StatusCode}); the call is recorded without it.")]
    public static partial void MalformedResponse(ILogger logger, string provider, int? statusCode);

    [LoggerMessage(270, LogLevel.Warning, "A {Provider} response was dropped without being read to the end or disposed; the call is recorded with errorType 'abandoned' when it is collected, with the usage seen so far. Dispose HttpResponseMessage (or its stream) when done. Later ones are counted in LlmCostStatistics.AbandonedResponses, not logged.")]
    public static partial void AbandonedResponse(ILogger logger, string provider);

    [LoggerMessage(7, LogLevel.Error, "LLM cost tracking failed internally; the application's call was not affected.")]
    public static partial void InternalError(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "LLM cost tracking did not drain within {Timeout}; records still queued were dropped.")]
    public static partial void ShutdownTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(9, LogLevel.Warning, "LLM cost telemetry failed; the record was kept and the application's call was not affected.")]
    public static partial void TelemetryFailed(ILogger logger, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "The metric attribute {Attribute} reached {Max} distinct values; later values are reported as 'other'. Raise LlmCostOptions.Telemetry.MaxMetricTagValues or keep the tag off metrics.")]
    public static partial void MetricTagValuesCapped(ILogger logger, string attribute, int max);

    [LoggerMessage(11, LogLevel.Warning, "LLM calls without usage were recorded without an estimate because the estimation queue is full ({Dropped} so far).")]
    public static partial void EstimationQueueFull(ILogger logger, long dropped);

    [LoggerMessage(12, LogLevel.Warning, "Line {Line} of the {Provider} batch results could not be read as a result line; it was skipped and counted as malformed.")]
    public static partial void MalformedBatchLine(ILogger logger, string provider, int line);

    // 150-199: start-up checks of the registration and configuration.
    [LoggerMessage(150, LogLevel.Warning, "LLM cost tracking has no sink: records are counted (ILlmCostTracker.Statistics, metrics) but written nowhere. Add one with AddLlmCostTracking().AddJsonLinesSink(path), AddInMemorySink() or AddSink<T>().")]
    public static partial void NoSinks(ILogger logger);

    [LoggerMessage(151, LogLevel.Warning, "The configuration section '{Path}' given to AddLlmCostTracking is missing or empty, so LLM cost tracking runs with its defaults. Check the section name (usually \"LlmCost\").")]
    public static partial void ConfigurationSectionEmpty(ILogger logger, string path);
    [LoggerMessage(200, LogLevel.Information, "LLM price table {Version} taken from {Source} ({Entries} entries); it prices calls from now on.")]
    public static partial void PriceTableUpdated(ILogger logger, string version, string source, int entries);

    [LoggerMessage(201, LogLevel.Warning, "LLM price table update from {Source} failed ({Failures} so far): {Reason}. Table {Version} stays in force.")]
    public static partial void PriceTableUpdateFailed(ILogger logger, string source, long failures, string reason, string version);

    [LoggerMessage(202, LogLevel.Error, "The cost of a {Provider} call to {Model} overflowed; it is recorded with a null cost ({Overflows} so far).")]
    public static partial void CostOverflow(ILogger logger, string provider, string model, long overflows);
    // Guardrails: event ids 400-449.
    [LoggerMessage(400, LogLevel.Warning, "LLM budget {Budget}: {Kind} alert (spent {Spent} USD of {Limit}, threshold {Threshold}).")]
    public static partial void BudgetAlert(ILogger logger, string budget, LlmBudgetAlertKind kind, decimal spent, decimal? limit, decimal? threshold);

    [LoggerMessage(401, LogLevel.Debug, "LLM call refused before it was sent by budget {Budget} ({ErrorType}).")]
    public static partial void CallRefused(ILogger logger, string budget, string errorType);

    [LoggerMessage(406, LogLevel.Debug, "LLM call sent again after a refusal was refused again by budget {Budget} ({ErrorType}); it was recorded the first time.")]
    public static partial void CallRefusedAgain(ILogger logger, string budget, string errorType);

    [LoggerMessage(402, LogLevel.Error, "LLM budget alert handler {Handler} failed; the alert was logged and counted.")]
    public static partial void BudgetAlertHandlerFailed(ILogger logger, string handler, Exception exception);

    [LoggerMessage(403, LogLevel.Warning, "LLM budget {Budget} could not settle a call's reservation; it expires on its own.")]
    public static partial void SettleFailed(ILogger logger, string budget, Exception exception);

    [LoggerMessage(404, LogLevel.Warning, "LLM budget {Budget} alert dropped: the alert handlers are too slow.")]
    public static partial void BudgetAlertDropped(ILogger logger, string budget);

    [LoggerMessage(405, LogLevel.Warning, "LLM budget {Budget}: the same request was sent {Count} times within the loop window.")]
    public static partial void LoopDetected(ILogger logger, string budget, int count);
    // Pipeline reliability: 250-299.
    [LoggerMessage(250, LogLevel.Warning, "LLM cost tracking gave up on the sinks after the shutdown timeout {Timeout}: {Queued} records were still queued and {InSinks} waiting for the sinks (kept in the disk spool: {Spooled}); what could not be written is counted in DroppedBySinks.")]
    public static partial void ShutdownGaveUp(ILogger logger, TimeSpan timeout, long queued, long inSinks, bool spooled);

    [LoggerMessage(251, LogLevel.Error, "LLM cost sink {Sink} did not complete a write within {Timeout}; the write was abandoned and its {Count} records were not written to it.")]
    public static partial void SinkTimedOut(ILogger logger, string sink, TimeSpan timeout, int count);

    [LoggerMessage(252, LogLevel.Warning, "LLM cost sink {Sink} cannot take writes; its records are kept in the disk spool and replayed in order when it recovers.")]
    public static partial void SinkSpooling(ILogger logger, string sink);

    [LoggerMessage(253, LogLevel.Information, "LLM cost sink {Sink} caught up with the disk spool.")]
    public static partial void SpoolCaughtUp(ILogger logger, string sink);

    [LoggerMessage(254, LogLevel.Warning, "The LLM cost disk spool removed {Count} records ({Reason}) before every sink had taken them.")]
    public static partial void SpoolDropped(ILogger logger, int count, string reason);

    [LoggerMessage(255, LogLevel.Error, "The LLM cost disk spool at {Path} cannot be used; records a sink cannot take are dropped and counted instead.")]
    public static partial void SpoolUnavailable(ILogger logger, string path, Exception exception);

    [LoggerMessage(256, LogLevel.Error, "The LLM cost disk spool could not write a batch of {Count} records; they go to the sinks without it.")]
    public static partial void SpoolWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(257, LogLevel.Error, "LLM cost tracking is not configured correctly, so this HttpClient's calls pass through untracked. Fix the configuration (a host reports it at start-up).")]
    public static partial void NotConfigured(ILogger logger, Exception exception);

    // Usage that is right or flagged (issue 12, items 7 and 11): 260-269.
    [LoggerMessage(260, LogLevel.Warning, "The {Provider} response (status {StatusCode}) ended before the provider's final usage report: the usage read so far is partial, so the call is recorded without usage and with a null cost (counted in MalformedResponses).")]
    public static partial void StreamEndedBeforeFinalUsage(ILogger logger, string provider, int? statusCode);

    [LoggerMessage(261, LogLevel.Debug, "The {Provider} response (status {StatusCode}) stopped before the provider's final usage report ({Reason}): the call is recorded without usage and with a null cost (counted in PartialUsage).")]
    public static partial void StoppedBeforeFinalUsage(ILogger logger, string provider, int? statusCode, string reason);

    [LoggerMessage(262, LogLevel.Warning, "The {Provider} response named model {Model}, which the price table does not know; its calls are priced as the requested model {RequestModel} (price.requestModelFallback, counted in PricedAsRequestModel). Add the model with LlmCostOptions.Prices or map it with LlmCostOptions.ModelAliases.")]
    public static partial void PricedAsRequestModel(ILogger logger, string provider, string model, string requestModel);
}
