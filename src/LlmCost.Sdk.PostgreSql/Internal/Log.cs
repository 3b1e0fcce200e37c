using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>The PostgreSQL package's log messages, source-generated, with stable event ids (320-339, 350-369, 500-519 and 950-959). None carries record content or the connection string.</summary>
internal static partial class Log
{
    [LoggerMessage(320, LogLevel.Information, "LLM cost PostgreSQL store migrated from schema version {From} to {To}.")]
    public static partial void PostgreSqlSchemaMigrated(ILogger logger, int from, int to);

    [LoggerMessage(321, LogLevel.Debug, "LLM cost PostgreSQL sink could not write a batch of {Count} records; the connection is reopened on the next attempt (the pipeline logs the retry).")]
    public static partial void PostgreSqlWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(350, LogLevel.Debug, "LLM cost PostgreSQL sink: a batch of {Count} records had ids already stored (a retried batch); it was written through staging, skipping them.")]
    public static partial void PostgreSqlBatchHadStoredIds(ILogger logger, int count);

    [LoggerMessage(501, LogLevel.Information, "LLM cost PostgreSQL sink: the last {Records} records written make {Groups} rollup groups even once compacted, more than half as many rows as the records (sparse data: few records per 15-minute bucket). Where the whole store is like this, reports read the records and the rollup only costs the writer: consider PostgreSqlCostSinkOptions.Rollup = false. Logged once per sink.")]
    public static partial void PostgreSqlRollupSparse(ILogger logger, long records, long groups);

    [LoggerMessage(500, LogLevel.Information, "LLM cost PostgreSQL sink writes without the rollup (PostgreSqlCostSinkOptions.Rollup is off): cost_rollups is marked incomplete and reports read the records; SELECT llmcost_rebuild_rollups() restores it.")]
    public static partial void PostgreSqlRollupOff(ILogger logger);

    // A warning: nothing is lost, but a compaction that keeps failing leaves the rollup growing and the reports slower.
    [LoggerMessage(950, LogLevel.Warning, "LLM cost PostgreSQL sink could not compact {Buckets} buckets of cost_rollups; the batches are stored and counted, the rows are only less compact (SELECT llmcost_compact_rollups() compacts them all).")]
    public static partial void PostgreSqlCompactionFailed(ILogger logger, int buckets, Exception exception);
}
