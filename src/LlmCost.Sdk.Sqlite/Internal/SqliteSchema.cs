using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>
/// The store's schema, versioned in <c>PRAGMA user_version</c> and brought forward one migration at a time, each in
/// the same <c>BEGIN IMMEDIATE</c> transaction as the version it sets, so processes that open one file at once migrate
/// it exactly once.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The version this package writes and reads.</summary>
    public const int CurrentVersion = 2;

    /// <summary>
    /// Version 1 (the first release's layout): the record's first fields as columns, its JSON, and a timestamp index.
    /// Kept as the first migration so a new file goes through the same steps as an old one.
    /// </summary>
    internal const string Version1 = """
        CREATE TABLE cost_records (
            id TEXT NOT NULL PRIMARY KEY,
            timestamp_ms INTEGER NOT NULL,
            provider TEXT NOT NULL,
            operation TEXT NOT NULL,
            model TEXT,
            request_model TEXT,
            streaming INTEGER NOT NULL,
            status_code INTEGER,
            error_type TEXT,
            duration_ms REAL NOT NULL,
            feature TEXT,
            team TEXT,
            customer TEXT,
            environment TEXT,
            input_tokens INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            cache_write_input_tokens INTEGER NOT NULL,
            output_tokens INTEGER NOT NULL,
            reasoning_tokens INTEGER NOT NULL,
            usage_source TEXT NOT NULL,
            cost_total TEXT,
            price_table_version TEXT,
            price_entry TEXT,
            record_json TEXT NOT NULL
        );
        CREATE INDEX ix_cost_records_timestamp ON cost_records (timestamp_ms);
        """;

    /// <summary>
    /// Version 2: the fields added to the record since (service tier, region, one-hour cache writes, web searches, the
    /// price period), the cost as exact integer parts for sums, all filled from the stored JSON and cost text; and the
    /// timestamp index replaced by one that covers the aggregate query, so reports read the index and never the rows.
    /// </summary>
    internal const string Version2 = """
        ALTER TABLE cost_records ADD COLUMN service_tier TEXT;
        ALTER TABLE cost_records ADD COLUMN region TEXT;
        ALTER TABLE cost_records ADD COLUMN cache_write_1h_input_tokens INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cost_records ADD COLUMN web_search_requests INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE cost_records ADD COLUMN cost_nanos INTEGER;
        ALTER TABLE cost_records ADD COLUMN cost_attos INTEGER;
        ALTER TABLE cost_records ADD COLUMN price_effective_from TEXT;
        UPDATE cost_records SET
            service_tier = json_extract(record_json, '$.serviceTier'),
            region = json_extract(record_json, '$.region'),
            cache_write_1h_input_tokens = coalesce(json_extract(record_json, '$.usage.cacheWrite1hInputTokens'), 0),
            web_search_requests = coalesce(json_extract(record_json, '$.usage.webSearchRequests'), 0),
            price_effective_from = json_extract(record_json, '$.price.effectiveFrom');
        UPDATE cost_records SET
            cost_nanos = CAST(substr(cost_total, 1, instr(cost_total || '.', '.') - 1) AS INTEGER) * 1000000000
                + CAST(substr(substr(cost_total, instr(cost_total || '.', '.') + 1) || '000000000000000000', 1, 9) AS INTEGER),
            cost_attos = CAST(substr(substr(cost_total, instr(cost_total || '.', '.') + 1) || '000000000000000000', 10, 9) AS INTEGER)
        WHERE cost_total IS NOT NULL;
        DROP INDEX ix_cost_records_timestamp;
        CREATE INDEX ix_cost_records_aggregate ON cost_records (
            timestamp_ms, provider, model, request_model, feature, team, customer, environment,
            input_tokens, cached_input_tokens, output_tokens, cost_nanos, cost_attos);
        """;

    private static readonly string[] Migrations = [Version1, Version2];

    /// <summary>Opens a connection with the store's settings: busy timeout for other writers, WAL set by <see cref="Migrate"/>.</summary>
    public static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30, // seconds: how long a command waits for another writer's lock (SQLITE_BUSY)
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        try
        {
            connection.Open();
            using var pragmas = connection.CreateCommand();
            pragmas.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";
            pragmas.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Reads the schema version of the open file.</summary>
    public static int ReadVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Switches the file to WAL and applies the migrations it lacks.</summary>
    /// <exception cref="InvalidOperationException">The file was written by a newer version of the package.</exception>
    public static void Migrate(SqliteConnection connection, string path, ILogger logger)
    {
        if (ReadVersion(connection) == CurrentVersion)
        {
            EnsureWal(connection);
            return;
        }

        EnsureWal(connection);
        using var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: one migrator at a time
        var from = ReadVersion(connection, transaction);
        ThrowIfNewer(from, path);
        for (var version = from; version < CurrentVersion; version++)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Migrations[version] + $"\nPRAGMA user_version = {version + 1};";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        if (from != CurrentVersion)
        {
            Log.SqliteSchemaMigrated(logger, path, from, CurrentVersion);
        }
    }

    /// <summary>Fails for a file a newer package version wrote, whose layout this one does not know.</summary>
    public static void ThrowIfNewer(int version, string path)
    {
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The LlmCost SQLite store '{path}' has schema version {version}, newer than this package's {CurrentVersion}. Update LlmCost.Sdk.Sqlite.");
        }
    }

    private static void EnsureWal(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        command.ExecuteNonQuery();
    }
}
