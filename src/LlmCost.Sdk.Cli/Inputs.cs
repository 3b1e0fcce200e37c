namespace LlmCost.Sdk.Cli;

/// <summary>
/// The one place that turns <c>--jsonl</c>, <c>--db</c> and <c>--pg</c> into an <see cref="ICostRecordQuery"/>.
/// </summary>
/// <remarks>
/// The SQLite and PostgreSQL stores come from their own packages (LlmCost.Sdk.Sqlite, LlmCost.Sdk.PostgreSql). In a build
/// without them, <see cref="OpenSqlite"/> and <see cref="OpenPostgreSql"/> fail with a clear message; with them, each is the
/// one line in its comment (plus the package's ProjectReference in LlmCost.Sdk.Cli.csproj).
/// </remarks>
internal static class Inputs
{
    /// <summary>Opens a SQLite store written by <c>AddSqliteSink(path)</c>.</summary>
    public static ICostRecordQuery OpenSqlite(string path) =>
        // With LlmCost.Sdk.Sqlite referenced: new SqliteCostRecordStore(path);
        throw new CliException(ExitCodes.NotAvailable, $"--db (SQLite store '{path}') is not available in this build of llmcost: it has no LlmCost.Sdk.Sqlite. Use --jsonl, or a build with the SQLite store.");

    /// <summary>Opens a PostgreSQL store written by <c>AddPostgreSqlSink(connectionString)</c>.</summary>
    public static ICostRecordQuery OpenPostgreSql(string connectionString) =>
        // With LlmCost.Sdk.PostgreSql referenced: new PostgreSqlCostRecordStore(connectionString);
        throw new CliException(ExitCodes.NotAvailable, "--pg (PostgreSQL store) is not available in this build of llmcost: it has no LlmCost.Sdk.PostgreSql. Use --jsonl, or a build with the PostgreSQL store.");
}
