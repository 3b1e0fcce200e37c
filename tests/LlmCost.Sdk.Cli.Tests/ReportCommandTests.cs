namespace LlmCost.Sdk.Cli.Tests;

public sealed class ReportCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string SampleJsonl() => _cli.WriteJsonl("records.jsonl",
    [
        CliRunner.Record("2026-11-10T10:00:00Z", 0.00522m, feature: "ticket-triage", team: "support"),
        CliRunner.Record("2026-11-11T10:00:00Z", 0.001m, feature: "ticket-triage", team: "support"),
        CliRunner.Record("2026-11-12T10:00:00Z", 2.5m, feature: "search", team: null),
        CliRunner.Record("2026-11-12T11:00:00Z", null, model: "preview-model", feature: "labs", team: "research"),
    ]);

    [Fact]
    public async Task Report_Csv_ByFeatureTeam_ExactOutput()
    {
        var (exitCode, output, error) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--csv", "--by", "feature,team");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        Assert.Equal("feature,team,calls,cost\nsearch,,1,2.5\nticket-triage,support,2,0.00622\nlabs,research,1,0\n", output);
    }

    [Fact]
    public async Task Report_Terminal_ShowsSummaryTablesAndUnpriced()
    {
        var (exitCode, output, _) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--time-zone", "Asia/Kolkata");

        Assert.Equal(0, exitCode);
        Assert.Contains("LLM spend 2026-11-01 to 2026-11-18 (Asia/Kolkata)", output, StringComparison.Ordinal);
        Assert.Contains("Month-end forecast", output, StringComparison.Ordinal);
        Assert.Contains("Spend by feature", output, StringComparison.Ordinal);
        Assert.Contains("ticket-triage", output, StringComparison.Ordinal);
        Assert.Contains("preview-model", output, StringComparison.Ordinal); // unpriced, listed by model
        Assert.Contains("Forecast: Weekday/weekend pace", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_Json_WholeReport()
    {
        var (exitCode, output, _) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--json", "--from", "2026-11-10", "--to", "2026-11-12");

        Assert.Equal(0, exitCode);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("2026-11-10", json.RootElement.GetProperty("from").GetString());
        Assert.Equal(2.50622m, json.RootElement.GetProperty("total").GetProperty("cost").GetDecimal());
        Assert.Equal(1, json.RootElement.GetProperty("total").GetProperty("unpricedCalls").GetInt32());
    }

    [Fact]
    public async Task Report_Html_WritesOneSelfContainedPage()
    {
        var html = _cli.File("out/report.html");

        var (exitCode, _, error) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--html", html, "--chart-by", "team");

        Assert.Equal(0, exitCode);
        Assert.Contains("HTML report:", error, StringComparison.Ordinal);
        var page = await File.ReadAllTextAsync(html);
        Assert.Contains("<svg id=\"daily-chart\"", page, StringComparison.Ordinal);
        Assert.Contains("Daily spend by team", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_FixedCosts_AddedToTheTotal()
    {
        var fixedCosts = _cli.File("fixed.json");
        await File.WriteAllTextAsync(fixedCosts, """{ "fixedCosts": [ { "name": "Seats", "monthlyAmount": 300, "scope": { "team": "support" } } ] }""");

        var (exitCode, output, _) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--json", "--fixed-costs", fixedCosts, "--from", "2026-11-01", "--to", "2026-11-30");

        Assert.Equal(0, exitCode);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(300m, json.RootElement.GetProperty("fixedCostTotal").GetDecimal());
        Assert.Equal(302.50622m, json.RootElement.GetProperty("grandTotal").GetDecimal());
    }

    [Fact]
    public async Task Report_CsvWithFixedCosts_FixedCostColumnSumsToTheGrandTotal()
    {
        var fixedCosts = _cli.File("fixed.json");
        await File.WriteAllTextAsync(fixedCosts, """{ "fixedCosts": [ { "name": "Seats", "monthlyAmount": 300, "scope": { "team": "support" } } ] }""");

        var (exitCode, output, error) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--csv", "--fixed-costs", fixedCosts, "--from", "2026-11-01", "--to", "2026-11-30");

        Assert.True(exitCode == 0, error);
        Assert.Equal("feature,calls,cost,fixed_cost\nsearch,1,2.5,0\nticket-triage,2,0.00622,300\nlabs,1,0,0\n", output);
        var sum = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Sum(line => line.Split(',')[^2..].Sum(v => decimal.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(302.50622m, sum); // the JSON report's grandTotal (Report_FixedCosts_AddedToTheTotal)
    }

    [Fact]
    public async Task Report_UnreadableLines_WarnsAndReportsTheRest()
    {
        var path = SampleJsonl();
        await File.AppendAllTextAsync(path, "{\"id\":\"torn\n");

        var (exitCode, output, error) = await _cli.RunAsync("report", "--jsonl", path, "--csv");

        Assert.Equal(0, exitCode);
        Assert.Contains("1 line(s)", error, StringComparison.Ordinal);
        Assert.Contains("line 5", error, StringComparison.Ordinal);
        Assert.StartsWith("feature,calls,cost\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_MissingFile_ExitCode3()
    {
        var (exitCode, output, error) = await _cli.RunAsync("report", "--jsonl", _cli.File("nope.jsonl"));

        Assert.Equal(3, exitCode);
        Assert.Equal("", output);
        Assert.Contains("--jsonl: file not found", error, StringComparison.Ordinal);
        Assert.Contains("nope.jsonl", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_NoInput_ExitCode2()
    {
        var (exitCode, _, error) = await _cli.RunAsync("report");

        Assert.Equal(2, exitCode);
        Assert.Contains("No input: give one of --jsonl <file>, --db <sqlite path> or --pg <connection string>.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_TwoInputs_ExitCode2()
    {
        var (exitCode, _, error) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--pg", "Host=127.0.0.1");

        Assert.Equal(2, exitCode);
        Assert.Contains("only one input", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Report_MissingSqliteFile_ExitCode3()
    {
        var (exitCode, _, error) = await _cli.RunAsync("report", "--db", _cli.File("missing.db"));

        Assert.Equal(3, exitCode);
        Assert.Contains("--db: file not found", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--from", "2026-13-01", "--from: '2026-13-01' is not an ISO date")]
    [InlineData("--to", "yesterday", "--to: 'yesterday' is not an ISO date")]
    [InlineData("--time-zone", "Mars/Olympus_Mons", "--time-zone: 'Mars/Olympus_Mons' is not a known IANA time zone id")]
    [InlineData("--by", "feature,planet", "--by: 'planet' is not a dimension; use provider, model, feature, team, customer, environment.")]
    [InlineData("--chart-by", "colour", "--chart-by: 'colour' is not a dimension")]
    public async Task Report_BadValue_ExitCode2WithMessage(string option, string value, string message)
    {
        var (exitCode, _, error) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_ToBeforeFrom_ExitCode2()
    {
        var (exitCode, _, error) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--from", "2026-11-10", "--to", "2026-11-01");

        Assert.Equal(2, exitCode);
        Assert.Contains("--to (2026-11-01) is before --from (2026-11-10)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_ExitCode2()
    {
        var (exitCode, _, error) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--colour");

        Assert.Equal(2, exitCode);
        Assert.Contains("--colour", error, StringComparison.Ordinal);
        Assert.Contains("llmcost --help", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadFixedCosts_ExitCode3()
    {
        var fixedCosts = _cli.File("fixed.json");
        await File.WriteAllTextAsync(fixedCosts, """[ { "name": "Seats" } ]""");

        var (exitCode, _, error) = await _cli.RunAsync("report", "--jsonl", SampleJsonl(), "--fixed-costs", fixedCosts);

        Assert.Equal(3, exitCode);
        Assert.Contains("'Seats' needs a non-negative number 'monthlyAmount'", error, StringComparison.Ordinal);
    }
}
