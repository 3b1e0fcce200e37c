namespace LlmCost.Sdk.Cli;

/// <summary>
/// The one place that turns <c>--jsonl</c>, <c>--db</c> and <c>--pg</c> into an <see cref="ICostRecordQuery"/>.
/// </summary>
/// <remarks>The SQLite and PostgreSQL stores come from their own packages (LlmCost.Sdk.Sqlite, LlmCost.Sdk.PostgreSql).</remarks>
internal static class Inputs
{
    /// <summary>Opens a SQLite store written by <c>AddSqliteSink(path)</c>.</summary>
    public static ICostRecordQuery OpenSqlite(string path) => new SqliteCostRecordStore(path);

    /// <summary>Opens a PostgreSQL store written by <c>AddPostgreSqlSink(connectionString)</c>.</summary>
    public static ICostRecordQuery OpenPostgreSql(string connectionString) => new PostgreSqlCostRecordStore(connectionString);
}
