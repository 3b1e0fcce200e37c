using System.CommandLine;
using System.Data.Common;
using LlmCost.Sdk.Reporting;

namespace LlmCost.Sdk.Cli;

/// <summary>The record inputs every reading command takes: exactly one of <c>--jsonl</c>, <c>--db</c> or <c>--pg</c>.</summary>
internal sealed class InputOptions
{
    public Option<string> Jsonl { get; } = new("--jsonl") { Description = "A JSON Lines file written by AddJsonLinesSink.", HelpName = "file" };

    public Option<string> Db { get; } = new("--db") { Description = "A SQLite store written by AddSqliteSink.", HelpName = "sqlite path" };

    public Option<string> Pg { get; } = new("--pg") { Description = "A PostgreSQL store written by AddPostgreSqlSink.", HelpName = "connection string" };

    public void AddTo(Command command)
    {
        command.Add(Jsonl);
        command.Add(Db);
        command.Add(Pg);
    }

    /// <summary>Opens the chosen input; the second value is the JSON Lines reader when that is the input, for its counters.</summary>
    public (ICostRecordQuery Query, JsonLinesCostRecordQuery? JsonLines, long? Length) Open(ParseResult parse, IProgress<long>? bytesRead)
    {
        var jsonl = parse.GetValue(Jsonl);
        var db = parse.GetValue(Db);
        var pg = parse.GetValue(Pg);
        var given = (jsonl is null ? 0 : 1) + (db is null ? 0 : 1) + (pg is null ? 0 : 1);
        if (given != 1)
        {
            throw new CliException(ExitCodes.UsageError, given == 0
                ? "No input: give one of --jsonl <file>, --db <sqlite path> or --pg <connection string>."
                : "Give only one input: --jsonl, --db or --pg.");
        }

        if (jsonl is not null)
        {
            var length = RequireFile(jsonl, "--jsonl");
            var reader = new JsonLinesCostRecordQuery(jsonl, bytesRead);
            return (reader, reader, length);
        }

        if (db is not null)
        {
            RequireFile(db, "--db");
            return (Open("the SQLite store", () => Inputs.OpenSqlite(db)), null, null);
        }

        return (Open("the PostgreSQL store", () => Inputs.OpenPostgreSql(pg!)), null, null);
    }

    private static ICostRecordQuery Open(string what, Func<ICostRecordQuery> open)
    {
        try
        {
            return open();
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            // A store may check its database when it is made: a file that is not a database, a bad connection string.
            throw new CliException(ExitCodes.InputError, $"Cannot open {what}: {ex.Message}", ex);
        }
    }

    public static long RequireFile(string path, string option)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new CliException(ExitCodes.InputError, Directory.Exists(path)
                ? $"{option}: '{path}' is a directory, not a file."
                : $"{option}: file not found: '{Path.GetFullPath(path)}'.");
        }

        return file.Length;
    }

    /// <summary>Runs a query over the input and turns its failures into clear messages.</summary>
    public static async Task<T> ReadAsync<T>(string what, Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            throw new CliException(ExitCodes.InputError, $"Cannot read {what}: {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new CliException(ExitCodes.InputError, $"Cannot read {what}: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CliException(ExitCodes.InputError, $"Cannot read {what}: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex) when (ex is not ObjectDisposedException)
        {
            // Database providers report a file that is not a database, or a failed connection, this way too.
            throw new CliException(ExitCodes.InputError, $"Cannot read {what}: {ex.Message}", ex);
        }
    }

    public static async ValueTask DisposeAsync(ICostRecordQuery query)
    {
        if (query is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (query is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
