using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.Cli;

/// <summary><c>llmcost reprice</c>: price stored JSON Lines records again with another table version (<see cref="CostRecordRepricer"/>).</summary>
internal static class RepriceCommand
{
    public static Command Create(Terminal terminal)
    {
        var jsonl = new Option<string>("--jsonl") { Description = "The JSON Lines records to re-price.", Required = true, HelpName = "file" };
        var output = new Option<string>("--out") { Description = "Where to write the re-priced records (JSON Lines). Must differ from --jsonl.", Required = true, HelpName = "file" };
        var table = new Option<string>("--table") { Description = "The price table to price with. Default: the embedded table.", HelpName = "file" };
        var command = new Command("reprice", "Re-price stored records with another price table version; tokens, tags and ids are kept.") { jsonl, output, table };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var input = parse.GetValue(jsonl)!;
            var target = parse.GetValue(output)!;
            var length = InputOptions.RequireFile(input, "--jsonl");
            if (string.Equals(Path.GetFullPath(input), Path.GetFullPath(target), StringComparison.Ordinal))
            {
                throw new CliException(ExitCodes.UsageError, "--out must be another file than --jsonl.");
            }

            var repricer = new CostRecordRepricer(PriceTables.Load(parse.GetValue(table), "--table"));
            var (count, before, after, unpriced) = await terminal.WithProgressAsync("Re-pricing", length, progress => RepriceAsync(repricer, input, target, progress, cancellationToken)).ConfigureAwait(false);
            terminal.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Re-priced {count} record(s) with price table {repricer.Table.Version}: ${before:0.00####} -> ${after:0.00####} ({(after - before >= 0 ? "+" : "-")}${Math.Abs(after - before):0.00####}); {unpriced} without a price. Written to {Path.GetFullPath(target)}."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<(long Count, decimal Before, decimal After, long Unpriced)> RepriceAsync(
        CostRecordRepricer repricer, string input, string target, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        long count = 0, unpriced = 0;
        decimal before = 0, after = 0;
        try
        {
            var source = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 64 * 1024, FileOptions.SequentialScan);
            await using (source.ConfigureAwait(false))
            {
                using var reader = new JsonLinesCostRecordReader(source, leaveOpen: true);
                var writer = new StreamWriter(target, append: false, utf8, 64 * 1024) { NewLine = "\n" };
                await using (writer.ConfigureAwait(false))
                {
                    while (true)
                    {
                        CostRecord? record;
                        try
                        {
                            record = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                        }
                        catch (JsonException ex)
                        {
                            throw new CliException(ExitCodes.InputError, $"--jsonl: line {reader.LineNumber} of '{input}' is not a cost record ({ex.InnerException?.Message ?? ex.Message}); nothing after it was written.", ex);
                        }

                        if (record is null)
                        {
                            break;
                        }

                        var repriced = repricer.Reprice(record);
                        before += record.Cost?.Total ?? 0m;
                        after += repriced.Cost?.Total ?? 0m;
                        unpriced += repriced.Cost is null ? 1 : 0;
                        count++;
                        await writer.WriteLineAsync(repriced.ToJson().AsMemory(), cancellationToken).ConfigureAwait(false);
                        if ((count & 0xFFFF) == 0)
                        {
                            progress?.Report(source.Position);
                        }
                    }
                }
            }
        }
        catch (IOException ex)
        {
            throw new CliException(ExitCodes.InputError, $"Cannot re-price '{input}' to '{target}': {ex.Message}", ex);
        }

        return (count, before, after, unpriced);
    }
}
