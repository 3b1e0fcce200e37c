using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>The SQLite package's log messages, source-generated, with stable event ids (300-319). None carries record content.</summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Information, "LLM cost SQLite store {Path} migrated from schema version {From} to {To}.")]
    public static partial void SqliteSchemaMigrated(ILogger logger, string path, int from, int to);

    [LoggerMessage(301, LogLevel.Debug, "LLM cost SQLite sink could not write a batch of {Count} records to {Path}; the connection is reopened on the next attempt (the pipeline logs the retry).")]
    public static partial void SqliteWriteFailed(ILogger logger, int count, string path, Exception exception);
}
