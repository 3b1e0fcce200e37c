using System.CommandLine;
using System.Text;
using LlmCost.Sdk.Reporting;

namespace LlmCost.Sdk.Cli;

/// <summary><c>llmcost report</c>: where the money went, as terminal tables, JSON, CSV or an HTML page.</summary>
internal static class ReportCommand
{
    public static Command Create(Terminal terminal, TimeProvider timeProvider)
    {
        var inputs = new InputOptions();
        var from = new Option<string>("--from") { Description = "First day of the period (yyyy-MM-dd, inclusive). Default: the first of this month.", HelpName = "date" };
        var to = new Option<string>("--to") { Description = "Last day of the period (yyyy-MM-dd, inclusive). Default: today.", HelpName = "date" };
        var timeZone = new Option<string>("--time-zone") { Description = "IANA time zone whose days, weeks and months the report uses.", DefaultValueFactory = _ => "UTC", HelpName = "iana id" };
        var by = new Option<string>("--by") { Description = "Dimensions of the main table, comma-separated: provider, model, feature, team, customer, environment.", DefaultValueFactory = _ => "feature", HelpName = "dimensions" };
        var chartBy = new Option<string>("--chart-by") { Description = "Dimension the HTML daily chart is stacked by. Default: the first of --by.", HelpName = "dimension" };
        var json = new Option<bool>("--json") { Description = "Write the whole report as JSON to standard output." };
        var csv = new Option<bool>("--csv") { Description = "Write the main table as CSV to standard output: the --by columns, then calls and cost (USD)." };
        var html = new Option<string>("--html") { Description = "Also write a self-contained HTML page (chart and tables) to this file.", HelpName = "file" };
        var fixedCosts = new Option<string>("--fixed-costs") { Description = "JSON file of fixed monthly costs to allocate by token share.", HelpName = "file" };

        var command = new Command("report", "Spend today, this week vs last week, month to date and forecast; by provider, model, feature, team, customer, environment; anomalies, untagged and unpriced spend.");
        inputs.AddTo(command);
        command.Add(from);
        command.Add(to);
        command.Add(timeZone);
        command.Add(by);
        command.Add(chartBy);
        command.Add(json);
        command.Add(csv);
        command.Add(html);
        command.Add(fixedCosts);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(json) && parse.GetValue(csv))
            {
                throw new CliException(ExitCodes.UsageError, "Choose one of --json and --csv.");
            }

            var groupBy = Arguments.Dimensions(parse.GetValue(by), "--by");
            var options = new CostReportOptions
            {
                From = Arguments.Date(parse.GetValue(from), "--from"),
                To = Arguments.Date(parse.GetValue(to), "--to"),
                TimeZone = Arguments.TimeZone(parse.GetValue(timeZone)),
                GroupBy = groupBy,
                ChartBy = parse.GetValue(chartBy) is { } chart ? Arguments.Dimension(chart, "--chart-by") : null,
                FixedCosts = Arguments.FixedCosts(parse.GetValue(fixedCosts)),
                TimeProvider = timeProvider,
            };
            if (options.From is { } f && options.To is { } t && t < f)
            {
                throw new CliException(ExitCodes.UsageError, $"--to ({t:yyyy-MM-dd}) is before --from ({f:yyyy-MM-dd}).");
            }

            var htmlPath = parse.GetValue(html);
            var total = parse.GetValue(inputs.Jsonl) is { } jsonlPath && File.Exists(jsonlPath) ? new FileInfo(jsonlPath).Length : (long?)null;
            var report = await terminal.WithProgressAsync("Reading records", total, async progress =>
            {
                var (query, jsonLines, _) = inputs.Open(parse, progress);
                try
                {
                    var built = await InputOptions.ReadAsync("the records", () => CostReportBuilder.BuildAsync(query, options, cancellationToken)).ConfigureAwait(false);
                    if (jsonLines is { UnreadableLines: > 0 })
                    {
                        terminal.Warn($"{jsonLines.UnreadableLines} line(s) of '{jsonLines.Path}' are not cost records and were skipped (first: line {string.Join(", ", jsonLines.UnreadableLineNumbers.Take(5))}).");
                    }

                    return built;
                }
                finally
                {
                    await InputOptions.DisposeAsync(query).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

            if (parse.GetValue(json))
            {
                var stream = new MemoryStream();
                await CostReportWriter.WriteJsonAsync(report, stream, cancellationToken).ConfigureAwait(false);
                await terminal.Output.WriteLineAsync(Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length)).ConfigureAwait(false);
            }
            else if (parse.GetValue(csv))
            {
                CostReportWriter.WriteCsv(report, terminal.Output);
            }
            else
            {
                CostReportWriter.WriteTerminal(report, terminal.Console);
            }

            if (htmlPath is not null)
            {
                WriteHtml(report, htmlPath);
                terminal.Error.WriteLine($"HTML report: {Path.GetFullPath(htmlPath)}");
            }

            await terminal.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteHtml(CostReport report, string path)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            CostReportWriter.WriteHtml(report, writer);
        }
        catch (IOException ex)
        {
            throw new CliException(ExitCodes.InputError, $"--html: cannot write '{path}': {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CliException(ExitCodes.InputError, $"--html: cannot write '{path}': {ex.Message}", ex);
        }
    }
}
