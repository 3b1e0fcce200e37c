namespace LlmCost.Sdk.Cli.Tests;

/// <summary>The SQLite and PostgreSQL stores are wired in Inputs.cs; a build without them says so clearly.</summary>
public sealed class InputsTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Db_ExistingFile_OpensTheSqliteStoreOrSaysItIsNotInThisBuild()
    {
        var db = _cli.File("costs.db");
        await File.WriteAllBytesAsync(db, [1, 2, 3]); // not a database either

        var (exitCode, _, error) = await _cli.RunAsync("report", "--db", db);

        // Without LlmCost.Sdk.Sqlite: 4 and the message; with it: the store cannot read a file that is not a database (3).
        Assert.True(exitCode is 3 or 4, $"exit code {exitCode}: {error}");
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        if (exitCode == 4)
        {
            Assert.Contains("--db (SQLite store", error, StringComparison.Ordinal);
            Assert.Contains("is not available in this build", error, StringComparison.Ordinal);
        }
        else
        {
            Assert.Matches("Cannot (open the SQLite store|read the records): ", error);
        }
    }

    [Fact]
    public async Task Pg_Unreachable_SaysWhy()
    {
        // Port 1 on loopback: nothing listens there.
        var (exitCode, _, error) = await _cli.RunAsync("report", "--pg", "Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z;Timeout=2");

        Assert.True(exitCode is 3 or 4, $"exit code {exitCode}: {error}");
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=y", error, StringComparison.Ordinal);
    }
}
