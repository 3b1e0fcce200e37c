using System.CommandLine;

namespace LlmCost.Sdk.Cli;

/// <summary>The <c>llmcost</c> command line: parses, runs one command and maps every failure to an exit code and one clear message.</summary>
internal static class CliApp
{
    public static RootCommand CreateRoot(Terminal terminal, TimeProvider timeProvider)
    {
        var root = new RootCommand("llmcost: where did the LLM money go. Reports, reconciliation with the providers' bills, price tables and re-pricing for LlmCost.Sdk records.");
        root.Add(ReportCommand.Create(terminal, timeProvider));
        root.Add(ReconcileCommand.Create(terminal));
        root.Add(PricesCommand.Create(terminal, timeProvider));
        root.Add(RepriceCommand.Create(terminal));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var terminal = new Terminal(output, error, interactive);
        var root = CreateRoot(terminal, timeProvider);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync("error: " + parseError.Message).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'llmcost --help' (or 'llmcost <command> --help') for the usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            await error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
    }
}
