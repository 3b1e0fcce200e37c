using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace LlmCost.Sdk.Storage.Tests;

/// <summary>
/// A real PostgreSQL for the tests: the one named by <c>LLMCOST_TEST_POSTGRES</c> (a connection string; <c>.ci/run</c>
/// starts one and sets it), else a private server started here from the Debian package's binaries
/// (<c>/usr/lib/postgresql/*/bin</c>, as the <c>postgres</c> user when running as root), else the tests fail saying how
/// to get one. Never skipped. Each test gets its own schema (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "LLMCOST_TEST_POSTGRES";

    private string? _dataDirectory;
    private string? _binDirectory;
    private string? _connectionString;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("PostgreSQL is not started.");

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            _connectionString = configured;
            return;
        }

        _binDirectory = FindBinDirectory() ?? throw new InvalidOperationException(
            $"The PostgreSQL tests need a real PostgreSQL. Set {EnvironmentVariable} to a connection string of a server the tests may create schemas on "
            + "(for example 'Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres'), or install the Debian package "
            + "('apt-get update && apt-get install -y postgresql') so the tests start a private one, or run 'bash .ci/run', which does both.");

        _dataDirectory = Path.Combine(Path.GetTempPath(), "llmcost-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dataDirectory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", _dataDirectory]);
        }

        var port = FreePort();
        var log = Path.Combine(_dataDirectory, "server.log");
        await RunAsPostgresAsync(asRoot, Path.Combine(_binDirectory, "initdb"), ["-D", Path.Combine(_dataDirectory, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        await RunAsPostgresAsync(asRoot, Path.Combine(_binDirectory, "pg_ctl"),
            ["-D", Path.Combine(_dataDirectory, "data"), "-l", log, "-w", "-o", $"-h 127.0.0.1 -p {port} -k {_dataDirectory} -c fsync=off", "start"]);
        _connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_dataDirectory is null || _binDirectory is null)
        {
            return;
        }

        var asRoot = Environment.UserName == "root";
        await RunAsPostgresAsync(asRoot, Path.Combine(_binDirectory, "pg_ctl"), ["-D", Path.Combine(_dataDirectory, "data"), "-m", "fast", "-w", "stop"]);
        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>Creates an empty schema of its own for one test and returns a connection string whose search path is it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema};", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    private static string? FindBinDirectory()
    {
        const string Root = "/usr/lib/postgresql";
        if (!Directory.Exists(Root))
        {
            return null;
        }

        return Directory.GetDirectories(Root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => d, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>initdb and postgres refuse to run as root: as root, run them as the package's postgres user.</summary>
    private static Task RunAsPostgresAsync(bool asRoot, string program, string[] arguments) =>
        asRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {string.Join(' ', arguments)}' failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
