using Npgsql;

namespace LlmCost.Sdk.Storage.Benchmarks;

/// <summary>The PostgreSQL the benchmarks use: <c>LLMCOST_BENCH_POSTGRES</c> (a connection string), else a clear error.</summary>
internal static class BenchmarkPostgres
{
    public const string EnvironmentVariable = "LLMCOST_BENCH_POSTGRES";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Set {EnvironmentVariable} to a PostgreSQL connection string (see benchmarks/README.md, 'Storage').");

    /// <summary>A new empty schema; the returned connection string has it as its search path.</summary>
    public static async Task<string> FreshSchemaAsync()
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema};", connection);
        await command.ExecuteNonQueryAsync();
        return WithSchema(schema);
    }

    public static string WithSchema(string schema) => new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
}
