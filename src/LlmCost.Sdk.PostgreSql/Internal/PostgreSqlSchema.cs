using Microsoft.Extensions.Logging;
using Npgsql;

namespace LlmCost.Sdk;

/// <summary>
/// The store's schema, versioned in <c>llmcost_schema_version</c>. Migrations run under a transaction-scoped advisory
/// lock, so instances starting together migrate once; every statement is idempotent (<c>IF NOT EXISTS</c>), so a table
/// a DBA created beforehand (for example partitioned by day) is kept and only completed.
/// </summary>
internal static class PostgreSqlSchema
{
    /// <summary>The version this package writes and reads.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Serializes migrations across instances (an arbitrary constant: "llmcost" in ASCII).</summary>
    private const long MigrationLockKey = 0x6C6C6D636F7374;

    /// <summary>
    /// Version 1: one row per record, the queried fields as columns, cost as exact <c>numeric</c>, the whole record as
    /// JSON; and an index on the timestamp that includes every column the aggregate reads, so a report over a range is
    /// an index-only scan that never reads the (wide) rows.
    /// </summary>
    internal const string Version1 = """
        CREATE TABLE IF NOT EXISTS cost_records (
            id uuid NOT NULL PRIMARY KEY,
            "timestamp" timestamptz NOT NULL,
            provider text NOT NULL,
            operation text NOT NULL,
            model text,
            request_model text,
            service_tier text,
            region text,
            streaming boolean NOT NULL,
            status_code integer,
            error_type text,
            duration_ms double precision NOT NULL,
            feature text,
            team text,
            customer text,
            environment text,
            input_tokens bigint NOT NULL,
            cached_input_tokens bigint NOT NULL,
            cache_write_input_tokens bigint NOT NULL,
            cache_write_1h_input_tokens bigint NOT NULL,
            output_tokens bigint NOT NULL,
            reasoning_tokens bigint NOT NULL,
            web_search_requests bigint NOT NULL,
            usage_source text NOT NULL,
            cost_total numeric,
            price_table_version text,
            price_entry text,
            price_effective_from date,
            record json NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_cost_records_aggregate ON cost_records ("timestamp") INCLUDE (
            provider, model, request_model, feature, team, customer, environment,
            input_tokens, cached_input_tokens, output_tokens, cost_total);
        """;

    private static readonly string[] Migrations = [Version1];

    /// <summary>Creates or migrates the schema on an open connection.</summary>
    /// <exception cref="InvalidOperationException">A newer package version wrote the schema.</exception>
    public static async Task MigrateAsync(NpgsqlConnection connection, ILogger logger, CancellationToken cancellationToken)
    {
        using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        using (var command = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(@key); CREATE TABLE IF NOT EXISTS llmcost_schema_version (version integer NOT NULL);",
            connection,
            transaction))
        {
            command.Parameters.AddWithValue("key", MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var from = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        ThrowIfNewer(from);
        for (var version = from; version < CurrentVersion; version++)
        {
            using var command = new NpgsqlCommand(Migrations[version], connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (from < CurrentVersion)
        {
            using var command = new NpgsqlCommand(
                "DELETE FROM llmcost_schema_version; INSERT INTO llmcost_schema_version (version) VALUES (@version);",
                connection,
                transaction);
            command.Parameters.AddWithValue("version", CurrentVersion);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (from < CurrentVersion)
        {
            Log.PostgreSqlSchemaMigrated(logger, from, CurrentVersion);
        }
    }

    /// <summary>Reads the schema version (0 when the version table is missing or empty).</summary>
    public static async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        using (var exists = new NpgsqlCommand("SELECT to_regclass('llmcost_schema_version') IS NOT NULL;", connection, transaction))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return 0;
            }
        }

        using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM llmcost_schema_version;", connection, transaction);
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is int version ? version : 0;
    }

    /// <summary>Fails for a schema a newer package version wrote, whose layout this one does not know.</summary>
    public static void ThrowIfNewer(int version)
    {
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The LlmCost PostgreSQL store has schema version {version}, newer than this package's {CurrentVersion}. Update LlmCost.Sdk.PostgreSql.");
        }
    }
}
