using System.Text.Json;

namespace LlmCost.Sdk.Cli.Tests;

/// <summary>Reconciliation on the providers' real report formats (see Payloads/SOURCES.md).</summary>
public sealed class ReconcileCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static decimal Dec(JsonElement element, string name) => element.GetProperty(name).GetDecimal();

    [Fact]
    public async Task OpenAI_ByLineItem_PerDayAndModel_FlagsTheDayBeyondTolerance()
    {
        var records = _cli.WriteJsonl("records.jsonl",
        [
            CliRunner.Record("2025-11-13T09:00:00Z", 10m),
            CliRunner.Record("2025-11-13T23:59:59Z", 5.5m),
            CliRunner.Record("2025-11-14T08:00:00Z", 11m),                              // billed 10: +10%
            CliRunner.Record("2025-11-14T09:00:00Z", 2m, model: "gpt-4o-mini-2024-07-18"),
            CliRunner.Record("2025-11-14T10:00:00Z", 7m, model: "claude-sonnet-4-5", provider: "anthropic"), // another provider's bill
            CliRunner.Record("2025-11-15T00:00:00Z", 99m),                              // after the export's last day
        ]);

        var (exitCode, output, error) = await _cli.RunAsync("reconcile", "--provider", "openai", "--file", CliRunner.Payload("openai-costs-by-line-item.json"), "--jsonl", records, "--json");

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var total = root.GetProperty("total");
        Assert.Equal((28.25m, 28.5m, 0.25m), (Dec(total, "provider"), Dec(total, "records"), Dec(total, "variance")));
        var days = root.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(["2025-11-13", "2025-11-14"], days.Select(d => d.GetProperty("day").GetString()));
        Assert.Equal((16.25m, 15.5m, -4.62m, false), (Dec(days[0], "provider"), Dec(days[0], "records"), Dec(days[0], "variancePercent"), days[0].GetProperty("beyondTolerance").GetBoolean()));
        Assert.Equal((12m, 13m, 8.33m, true), (Dec(days[1], "provider"), Dec(days[1], "records"), Dec(days[1], "variancePercent"), days[1].GetProperty("beyondTolerance").GetBoolean()));
        var rows = root.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("day").GetString(), r.GetProperty("model").GetString(), Dec(r, "provider"), Dec(r, "records"))).ToList();
        Assert.Contains(("2025-11-13", "(no model)", 0.75m, 0m), rows);                 // "Web search"
        Assert.Contains(("2025-11-13", "gpt-4o-2024-08-06", 15.5m, 15.5m), rows);       // input + output line items
        Assert.Contains(("2025-11-14", "gpt-4o-mini-2024-07-18", 2m, 2m), rows);
        Assert.Equal(["2025-11-14"], root.GetProperty("flaggedDays").EnumerateArray().Select(d => d.GetProperty("day").GetString()));
    }

    [Fact]
    public async Task OpenAI_FailOnVariance_ExitCode1_AndTerminalTables()
    {
        var records = _cli.WriteJsonl("records.jsonl", [CliRunner.Record("2025-11-13T09:00:00Z", 1m)]);

        var (exitCode, output, _) = await _cli.RunAsync("reconcile", "--provider", "openai", "--file", CliRunner.Payload("openai-costs-by-line-item.json"), "--jsonl", records, "--fail-on-variance");

        Assert.Equal(1, exitCode);
        Assert.Contains("Per day and model", output, StringComparison.Ordinal);
        Assert.Contains("Per model", output, StringComparison.Ordinal);
        Assert.Contains("beyond tolerance", output, StringComparison.Ordinal);
        Assert.Contains("2 day(s) beyond the tolerance (5% and $0.01): 2025-11-13, 2025-11-14.", output, StringComparison.Ordinal);
        Assert.Contains("Total: provider $28.25, records $1.00; records - provider -$27.25 (-96.46%), provider - records +$27.25.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAI_ReferenceExample_DayTotalsMatch()
    {
        var records = _cli.WriteJsonl("records.jsonl", [CliRunner.Record("2024-11-01T12:00:00Z", 0.04m), CliRunner.Record("2024-11-01T13:00:00Z", 0.02m)]);

        var (exitCode, output, _) = await _cli.RunAsync("reconcile", "--provider", "openai", "--file", CliRunner.Payload("openai-costs-reference-example.json"), "--jsonl", records, "--json", "--fail-on-variance");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var day = Assert.Single(json.RootElement.GetProperty("days").EnumerateArray());
        Assert.Equal(("2024-11-01", 0.06m, 0.06m, 0m), (day.GetProperty("day").GetString(), Dec(day, "provider"), Dec(day, "records"), Dec(day, "variance")));
        Assert.Empty(json.RootElement.GetProperty("flaggedDays").EnumerateArray());
    }

    [Fact]
    public async Task OpenAI_CsvExport_ReadsTheDays()
    {
        var records = _cli.WriteJsonl("records.jsonl", [CliRunner.Record("2025-10-05T12:00:00Z", 0.895874m)]);

        var (exitCode, output, _) = await _cli.RunAsync("reconcile", "--provider", "openai", "--file", CliRunner.Payload("openai-costs-export.csv"), "--jsonl", records, "--json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var days = json.RootElement.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(["2025-10-05", "2025-10-06", "2025-10-07", "2025-10-10"], days.Select(d => d.GetProperty("day").GetString()));
        Assert.Equal(0.895874m + 0.56177125m + 0.569788m + 0.3409m, Dec(json.RootElement.GetProperty("total"), "provider"));
        Assert.False(days[0].GetProperty("beyondTolerance").GetBoolean());
        Assert.True(days[1].GetProperty("beyondTolerance").GetBoolean());
    }

    [Fact]
    public async Task Anthropic_ReferenceExample_AmountIsInCents()
    {
        var records = _cli.WriteJsonl("records.jsonl", [CliRunner.Record("2025-08-01T10:00:00Z", 1.2378912m, model: "claude-sonnet-4-20250514", provider: "anthropic")]);

        var (exitCode, output, _) = await _cli.RunAsync("reconcile", "--provider", "anthropic", "--file", CliRunner.Payload("anthropic-cost-report-reference-example.json"), "--jsonl", records, "--json", "--fail-on-variance");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var row = Assert.Single(json.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(("claude-sonnet-4-20250514", 1.2378912m, 1.2378912m, 0m), (row.GetProperty("model").GetString(), Dec(row, "provider"), Dec(row, "records"), Dec(row, "variance")));
    }

    [Fact]
    public async Task Anthropic_ByDescription_WebSearchHasNoModel_DayFlagged()
    {
        var records = _cli.WriteJsonl("records.jsonl",
        [
            CliRunner.Record("2025-11-13T10:00:00Z", 12m, model: "claude-sonnet-4-5-20250929", provider: "anthropic"),
            CliRunner.Record("2025-11-14T10:00:00Z", 2.505m, model: "claude-haiku-4-5-20251001", provider: "anthropic"),
        ]);

        var (exitCode, output, _) = await _cli.RunAsync("reconcile", "--provider", "anthropic", "--file", CliRunner.Payload("anthropic-cost-report-by-description.json"), "--jsonl", records, "--json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var days = json.RootElement.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal((13m, 12m, true), (Dec(days[0], "provider"), Dec(days[0], "records"), days[0].GetProperty("beyondTolerance").GetBoolean()));
        Assert.Equal((2.505m, 2.505m, false), (Dec(days[1], "provider"), Dec(days[1], "records"), days[1].GetProperty("beyondTolerance").GetBoolean()));
        var models = json.RootElement.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("model").GetString()!, m => Dec(m, "provider"));
        Assert.Equal(1m, models["(no model)"]);
        Assert.Equal(12m, models["claude-sonnet-4-5-20250929"]);
    }

    [Fact]
    public async Task Anthropic_ConsoleCostCsv_DisplayNamesMatchTheRecordsModelIds()
    {
        var records = _cli.WriteJsonl("records.jsonl",
        [
            CliRunner.Record("2025-11-13T10:00:00Z", 12m, model: "claude-sonnet-4-5-20250929", provider: "anthropic"),
            CliRunner.Record("2025-11-14T10:00:00Z", 2.505m, model: "claude-haiku-4-5-20251001", provider: "anthropic"),
            CliRunner.Record("2025-11-14T23:00:00Z", 0.75m, model: "claude-sonnet-4-20250514", provider: "anthropic"),
        ]);

        var (exitCode, output, error) = await _cli.RunAsync("reconcile", "--provider", "anthropic", "--file", CliRunner.Payload("anthropic-console-cost-export.csv"), "--jsonl", records, "--json", "--fail-on-variance");

        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => (r.GetProperty("day").GetString(), r.GetProperty("model").GetString(), Dec(r, "provider"), Dec(r, "records")))
            .ToList();
        Assert.Equal(
            [
                ("2025-11-13", "claude-sonnet-4-5", 12m, 12m),   // cost_usd summed over token types; list_price_usd (3.00 for the cache read) ignored
                ("2025-11-14", "claude-haiku-4-5", 2.505m, 2.505m),
                ("2025-11-14", "claude-sonnet-4", 0.75m, 0.75m),
            ],
            rows);
        Assert.Equal((15.255m, 15.255m), (Dec(json.RootElement.GetProperty("total"), "provider"), Dec(json.RootElement.GetProperty("total"), "records")));
    }

    [Theory]
    [InlineData("Claude Haiku 4.5", "claude-haiku-4-5")]
    [InlineData("Claude Sonnet 4", "claude-sonnet-4")]
    [InlineData("Claude 3.5 Haiku", "claude-3-5-haiku")]
    [InlineData("claude-3-5-haiku-20241022", "claude-3-5-haiku-20241022")]
    public void ModelOfDisplayName_ConsoleNamesBecomeIdStems(string name, string expected) =>
        Assert.Equal(expected, ProviderCostExport.ModelOfDisplayName(name));

    [Fact]
    public void MatchModel_ANewerFamilyMemberIsNotTakenForTheOlderStem()
    {
        var export = new HashSet<string>(["claude-sonnet-4"], StringComparer.OrdinalIgnoreCase);

        Assert.Equal("claude-sonnet-4", Reconciler.MatchModel("claude-sonnet-4-20250514", export));
        Assert.Equal("claude-sonnet-4-5-20250929", Reconciler.MatchModel("claude-sonnet-4-5-20250929", export));
        Assert.Equal("claude-sonnet-4", Reconciler.MatchModel("claude-sonnet-4-latest", export));
    }

    [Fact]
    public async Task WrongProvider_ExitCode2()
    {
        var records = _cli.WriteJsonl("records.jsonl", []);

        var (exitCode, _, error) = await _cli.RunAsync("reconcile", "--provider", "azure", "--file", CliRunner.Payload("openai-costs-reference-example.json"), "--jsonl", records);

        Assert.Equal(2, exitCode);
        Assert.Contains("azure", error, StringComparison.Ordinal);
        Assert.Contains("openai", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherProvidersFile_ExitCode3()
    {
        var records = _cli.WriteJsonl("records.jsonl", []);

        var (exitCode, _, error) = await _cli.RunAsync("reconcile", "--provider", "openai", "--file", CliRunner.Payload("anthropic-cost-report-reference-example.json"), "--jsonl", records);

        Assert.Equal(3, exitCode);
        Assert.Contains("is not a OpenAI Costs API cost report: a bucket has no 'start_time'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingExport_ExitCode3()
    {
        var records = _cli.WriteJsonl("records.jsonl", []);

        var (exitCode, _, error) = await _cli.RunAsync("reconcile", "--provider", "anthropic", "--file", _cli.File("missing.json"), "--jsonl", records);

        Assert.Equal(3, exitCode);
        Assert.Contains("--file: file not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingProvider_ExitCode2()
    {
        var (exitCode, _, error) = await _cli.RunAsync("reconcile", "--file", CliRunner.Payload("openai-costs-reference-example.json"), "--jsonl", "x.jsonl");

        Assert.Equal(2, exitCode);
        Assert.Contains("--provider", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "gpt-4o-2024-08-06")]
    [InlineData("GPT-4o-2024-08-06", "gpt-4o-2024-08-06")]
    [InlineData("gpt-4o-mini-2024-07-18", "gpt-4o-mini")]
    [InlineData("gpt-4o-2024-11-20", "gpt-4o")]
    [InlineData("o3", "o3")]
    [InlineData(null, "(no model)")]
    public void MatchModel_SameNameOrTheExportsShorterOne(string? recorded, string expected)
    {
        var export = new HashSet<string>(["gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06"], StringComparer.OrdinalIgnoreCase);

        Assert.Equal(expected, Reconciler.MatchModel(recorded, export));
    }
}
