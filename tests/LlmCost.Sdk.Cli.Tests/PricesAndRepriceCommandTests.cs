using System.Text.Json.Nodes;

namespace LlmCost.Sdk.Cli.Tests;

public sealed class PricesAndRepriceCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string EmbeddedTableJson()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "src", "LlmCost.Sdk", "Pricing", "prices.json");
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }

        throw new InvalidOperationException("prices.json not found above the test's directory.");
    }

    private static string PinnedGenaiSnapshot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "tools", "LlmCost.Sdk.PriceTools", "inputs", "genai-prices-0.1.8.json");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException("genai-prices-0.1.8.json not found above the test's directory.");
    }

    [Fact]
    public async Task Check_EmbeddedTableAgainstItsPinnedSnapshot_NoDifferencesExitCode0ListsTheOverrides()
    {
        var (exitCode, output, error) = await _cli.RunAsync("prices", "check", "--genai-prices", PinnedGenaiSnapshot());

        Assert.True(exitCode == 0, output + error);
        Assert.EndsWith("No differences." + Environment.NewLine, output, StringComparison.Ordinal);
        var lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, l => l.StartsWith("genai-prices ", StringComparison.Ordinal) || l.StartsWith("table lacks", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("override             anthropic/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Check_TableWithAChangedRate_ExitCode1NamingTheModel()
    {
        var (exitCode, output, _) = await _cli.RunAsync("prices", "check", "--genai-prices", PinnedGenaiSnapshot(), "--table", CheaperGpt4oTable());

        Assert.Equal(1, exitCode);
        Assert.Contains("genai-prices differs openai/gpt-4o: table ", output, StringComparison.Ordinal);
        Assert.EndsWith("1 difference(s)." + Environment.NewLine, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_WithoutACatalog_UsageError()
    {
        var (exitCode, _, error) = await _cli.RunAsync("prices", "check");

        Assert.Equal(2, exitCode);
        Assert.Contains("--genai-prices", error, StringComparison.Ordinal);
    }

    /// <summary>The embedded table with GPT-4o's latest input rate halved and a new version.</summary>
    private string CheaperGpt4oTable()
    {
        var table = JsonNode.Parse(EmbeddedTableJson())!;
        table["version"] = "2099.1.1";
        var entry = table["entries"]!.AsArray().First(e => (string?)e!["provider"] == "openai" && (string?)e["model"] == "gpt-4o")!;
        var period = entry["periods"]!.AsArray()[^1]!;
        period["input"] = (decimal)period["input"]! / 2;
        var path = _cli.File("cheaper.json");
        File.WriteAllText(path, table.ToJsonString());
        return path;
    }

    [Fact]
    public async Task Lookup_KnownModel_ShowsThePeriodAndRates()
    {
        var (exitCode, output, _) = await _cli.RunAsync("prices", "lookup", "gpt-4o-2024-08-06", "--provider", "openai", "--date", "2026-01-15");

        Assert.Equal(0, exitCode);
        Assert.Contains("openai/gpt-4o on 2026-01-15", output, StringComparison.Ordinal);
        Assert.Contains("$2.50", output, StringComparison.Ordinal);
        Assert.Contains("$10.00", output, StringComparison.Ordinal);
    }

    [Theory]
    // DeepSeek's peak pricing took effect at 16:00 UTC on 2026-08-16 (api-docs.deepseek.com/quick_start/pricing).
    [InlineData("2026-08-16T15:59:59Z", "period from 2026-04-24")]
    [InlineData("2026-08-16T16:00:00Z", "period from 2026-08-16T16:00:00Z")]
    [InlineData("2026-08-16", "period from 2026-04-24")]
    public async Task Lookup_AtAnInstant_ShowsThePeriodInForceThen(string at, string expected)
    {
        var (exitCode, output, _) = await _cli.RunAsync("prices", "lookup", "deepseek-v4-pro", "--provider", "deepseek", "--at", at);

        Assert.Equal(0, exitCode);
        var text = string.Join(' ', output.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)); // the title wraps to the table's width
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.Contains("max output: 393,216 tokens", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_UnknownModel_ExitCode3()
    {
        var (exitCode, _, error) = await _cli.RunAsync("prices", "lookup", "no-such-model");

        Assert.Equal(3, exitCode);
        Assert.Contains("prices 'no-such-model'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_GoodAndBadTables()
    {
        var good = CheaperGpt4oTable();
        var bad = _cli.File("bad.json");
        await File.WriteAllTextAsync(bad, """{ "schemaVersion": 2, "version": "x", "currency": "USD", "entries": [ { "provider": "openai", "model": "m", "periods": [] } ] }""");

        var ok = await _cli.RunAsync("prices", "validate", good);
        var failed = await _cli.RunAsync("prices", "validate", bad);

        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("valid price table 2099.1.1", ok.Output, StringComparison.Ordinal);
        Assert.Equal(3, failed.ExitCode);
        Assert.Contains("is not a valid price table", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_EmbeddedAgainstFile_ShowsTheChangedRate()
    {
        var (exitCode, output, _) = await _cli.RunAsync("prices", "diff", "embedded", CheaperGpt4oTable());

        Assert.Equal(0, exitCode);
        Assert.Contains("-> 2099.1.1: 1 difference(s).", output, StringComparison.Ordinal);
        Assert.Contains("~ openai/gpt-4o from ", output, StringComparison.Ordinal);
        Assert.Contains("input $2.50 -> $1.25", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reprice_WithAnotherTable_WritesRepricedRecordsAndTotals()
    {
        var input = _cli.WriteJsonl("in.jsonl",
        [
            CliRunner.Record("2026-11-10T10:00:00Z", 0.0035m, model: "gpt-4o"),       // 1,000 in + 100 out: $0.0025 + $0.001
            CliRunner.Record("2026-11-10T11:00:00Z", null, model: "no-such-model"),
        ]);
        var output = _cli.File("out.jsonl");

        var (exitCode, stdout, _) = await _cli.RunAsync("reprice", "--jsonl", input, "--out", output, "--table", CheaperGpt4oTable());

        Assert.Equal(0, exitCode);
        Assert.Contains("Re-priced 2 record(s) with price table 2099.1.1: $0.0035 -> $0.00225 (-$0.00125); 1 without a price.", stdout, StringComparison.Ordinal);
        var records = File.ReadAllLines(output).Select(CostRecord.FromJson).ToList();
        Assert.Equal(0.00225m, records[0].Cost!.Total);
        Assert.Equal("2099.1.1", records[0].Price!.TableVersion);
        Assert.Null(records[1].Cost);
    }

    [Fact]
    public async Task Reprice_BadLine_ExitCode3NamingTheLine()
    {
        var input = _cli.File("in.jsonl");
        await File.WriteAllTextAsync(input, CliRunner.Record("2026-11-10T10:00:00Z", 1m).ToJson() + "\n{oops\n");

        var (exitCode, _, error) = await _cli.RunAsync("reprice", "--jsonl", input, "--out", _cli.File("out.jsonl"));

        Assert.Equal(3, exitCode);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reprice_SameFile_ExitCode2()
    {
        var input = _cli.WriteJsonl("in.jsonl", []);

        var (exitCode, _, error) = await _cli.RunAsync("reprice", "--jsonl", input, "--out", input);

        Assert.Equal(2, exitCode);
        Assert.Contains("--out must be another file", error, StringComparison.Ordinal);
    }
}
