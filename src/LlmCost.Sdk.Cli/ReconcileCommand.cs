using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace LlmCost.Sdk.Cli;

/// <summary><c>llmcost reconcile</c>: the provider's bill against the records, per UTC day and model.</summary>
internal static class ReconcileCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static Command Create(Terminal terminal)
    {
        var inputs = new InputOptions();
        var provider = new Option<string>("--provider") { Description = "Whose cost report the file is: openai or anthropic.", Required = true };
        provider.AcceptOnlyFromAmong("openai", "anthropic");
        var file = new Option<string>("--file") { Description = "The export: an OpenAI /v1/organization/costs or Anthropic /v1/organizations/cost_report JSON response (or an array of pages), or the CSV export.", Required = true, HelpName = "export" };
        var tolerance = new Option<decimal>("--tolerance") { Description = "Flag days whose variance exceeds this percent of the provider's amount.", DefaultValueFactory = _ => 5m, HelpName = "percent" };
        var toleranceUsd = new Option<decimal>("--tolerance-usd") { Description = "…and exceeds this many dollars.", DefaultValueFactory = _ => 0.01m, HelpName = "usd" };
        var json = new Option<bool>("--json") { Description = "Write the comparison as JSON to standard output." };
        var failOnVariance = new Option<bool>("--fail-on-variance") { Description = "Exit with code 1 when a day is beyond the tolerance (for CI)." };

        var command = new Command("reconcile", "Compare the provider's own cost report with the records per UTC day and model: variance in $ and %, days beyond tolerance, totals both ways.");
        inputs.AddTo(command);
        command.Add(provider);
        command.Add(file);
        command.Add(tolerance);
        command.Add(toleranceUsd);
        command.Add(json);
        command.Add(failOnVariance);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var providerName = parse.GetValue(provider)!;
            var path = parse.GetValue(file)!;
            var percent = parse.GetValue(tolerance);
            var usd = parse.GetValue(toleranceUsd);
            if (percent < 0 || usd < 0)
            {
                throw new CliException(ExitCodes.UsageError, "--tolerance and --tolerance-usd must not be negative.");
            }

            InputOptions.RequireFile(path, "--file");
            var lines = ProviderCostExport.Read(providerName, path);
            var result = await terminal.WithProgressAsync("Reading records", null, async progress =>
            {
                var (query, jsonLines, _) = inputs.Open(parse, progress);
                try
                {
                    var compared = await InputOptions.ReadAsync("the records", () => Reconciler.ReconcileAsync(providerName, lines, query, percent, usd, cancellationToken)).ConfigureAwait(false);
                    if (jsonLines is { UnreadableLines: > 0 })
                    {
                        terminal.Warn($"{jsonLines.UnreadableLines} line(s) of '{jsonLines.Path}' are not cost records and were skipped.");
                    }

                    return compared;
                }
                finally
                {
                    await InputOptions.DisposeAsync(query).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

            if (parse.GetValue(json))
            {
                await terminal.Output.WriteLineAsync(JsonSerializer.Serialize(result, JsonOptions)).ConfigureAwait(false);
            }
            else
            {
                Print(terminal.Console, result, ProviderCostExport.Name(providerName));
            }

            return parse.GetValue(failOnVariance) && result.FlaggedDays.Count > 0 ? ExitCodes.VarianceFound : ExitCodes.Success;
        });
        return command;
    }

    private static void Print(IAnsiConsole console, ReconciliationResult result, string source)
    {
        console.Write(new Rule(Markup.Escape($"{source} vs records, {result.From:yyyy-MM-dd} to {result.To:yyyy-MM-dd} (UTC days)")).LeftJustified());
        console.Write(Table("Per day and model", result.Rows, showDay: true, showModel: true));
        console.Write(Table("Per day", result.Days, showDay: true, showModel: false));
        console.Write(Table("Per model", result.Models, showDay: false, showModel: true));
        var t = result.Total;
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Total: provider {Money(t.Provider)}, records {Money(t.Records)}; records - provider {Signed(t.Variance)} ({Percent(t.VariancePercent)}), provider - records {Signed(-t.Variance)}.")));
        var flagged = result.FlaggedDays;
        console.MarkupLine(flagged.Count == 0
            ? Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"No day beyond the tolerance ({result.TolerancePercent}% and ${result.ToleranceUsd})."))
            : "[red]" + Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{flagged.Count} day(s) beyond the tolerance ({result.TolerancePercent}% and ${result.ToleranceUsd}): {string.Join(", ", flagged.Select(d => d.Day))}.")) + "[/]");
        if (result.UnpricedCalls > 0)
        {
            console.MarkupLine("[yellow]{0}[/]", Markup.Escape($"{result.UnpricedCalls} recorded call(s) have no cost (unpriced): the records' side is low by their unknown cost."));
        }
    }

    private static Table Table(string title, IReadOnlyList<ReconciliationRow> rows, bool showDay, bool showModel)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        if (showDay)
        {
            table.AddColumn("day");
        }

        if (showModel)
        {
            table.AddColumn("model");
        }

        table.AddColumn(new TableColumn("provider").RightAligned()).AddColumn(new TableColumn("records").RightAligned())
            .AddColumn(new TableColumn("variance").RightAligned()).AddColumn(new TableColumn("%").RightAligned()).AddColumn("");
        foreach (var row in rows)
        {
            var cells = new List<string>();
            if (showDay)
            {
                cells.Add(row.Day ?? string.Empty);
            }

            if (showModel)
            {
                cells.Add(Markup.Escape(row.Model ?? string.Empty));
            }

            cells.Add(Money(row.Provider));
            cells.Add(Money(row.Records));
            cells.Add(Markup.Escape(Signed(row.Variance)));
            cells.Add(Markup.Escape(Percent(row.VariancePercent)));
            cells.Add(row.BeyondTolerance ? "[red]beyond tolerance[/]" : string.Empty);
            table.AddRow([.. cells]);
        }

        return table;
    }

    private static string Money(decimal value) => "$" + value.ToString("#,0.00####", CultureInfo.InvariantCulture);

    private static string Signed(decimal value) => (value < 0 ? "-" : "+") + Money(Math.Abs(value));

    private static string Percent(decimal? value) => value is { } v ? v.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) + "%" : "n/a";
}
