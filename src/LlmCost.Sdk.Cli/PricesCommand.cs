using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace LlmCost.Sdk.Cli;

/// <summary><c>llmcost prices</c>: look up a model's price at a date, validate a table file, diff two table versions, check a table against the catalogs.</summary>
internal static class PricesCommand
{
    public static Command Create(Terminal terminal, TimeProvider timeProvider)
    {
        var command = new Command("prices", "Look up, validate and diff price tables (the embedded one or a file in the SDK's price-table format).");
        command.Add(Lookup(terminal, timeProvider));
        command.Add(Validate(terminal));
        command.Add(Diff(terminal));
        command.Add(Check(terminal, timeProvider));
        return command;
    }

    private static Command Lookup(Terminal terminal, TimeProvider timeProvider)
    {
        var model = new Argument<string>("model") { Description = "The model id as a response names it (gpt-4o-2024-08-06, claude-sonnet-4-5, an alias)." };
        var provider = new Option<string>("--provider") { Description = "The provider (openai, anthropic, aws.bedrock, …). Default: every provider that prices the model." };
        var date = new Option<string>("--at", "--date") { Description = "When: a day (yyyy-MM-dd, at 00:00 UTC) or a UTC instant (yyyy-MM-ddTHH:mm:ssZ), whose price period applies. Default: now.", HelpName = "date|instant" };
        var table = new Option<string>("--table") { Description = "A price table file. Default: the embedded table.", HelpName = "file" };
        var command = new Command("lookup", "Show the rates that price a model on a day.") { model, provider, date, table };
        command.SetAction(parse =>
        {
            var priceTable = PriceTables.Load(parse.GetValue(table), "--table");
            var at = Instant(parse.GetValue(date), "--at") ?? timeProvider.GetUtcNow();
            var id = parse.GetValue(model)!;
            var providers = parse.GetValue(provider) is { } p ? [p] : priceTable.Entries.Select(e => e.Provider).Distinct(StringComparer.Ordinal).ToList();
            var found = new List<PriceEntry>();
            foreach (var candidate in providers)
            {
                if (priceTable.TryGetEntry(candidate, id, out var entry) && !found.Contains(entry))
                {
                    found.Add(entry);
                }
            }

            if (found.Count == 0)
            {
                throw new CliException(ExitCodes.InputError, $"No entry of price table {priceTable.Version} prices '{id}'{(parse.GetValue(provider) is { } named ? $" for provider '{named}'" : string.Empty)}.");
            }

            foreach (var entry in found)
            {
                var period = entry.PeriodAt(at);
                var moment = at.UtcDateTime.TimeOfDay == TimeSpan.Zero ? at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                var from = period.EffectiveFromTime == TimeOnly.MinValue ? period.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : period.EffectiveFromUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                var rates = new Table().Border(TableBorder.Rounded)
                    .Title(Markup.Escape($"{entry.Id} on {moment}: period from {from} (table {priceTable.Version}, {priceTable.Currency} per 1M tokens)"))
                    .AddColumn("rates").AddColumn(new TableColumn("input").RightAligned()).AddColumn(new TableColumn("cached input").RightAligned())
                    .AddColumn(new TableColumn("cache write").RightAligned()).AddColumn(new TableColumn("output").RightAligned());
                AddTiered(rates, "standard", period.Rates);
                foreach (var (tier, tierRates) in period.ServiceTiers.OrderBy(t => t.Key, StringComparer.Ordinal))
                {
                    AddTiered(rates, "tier " + tier, tierRates);
                }

                foreach (var window in period.Windows)
                {
                    var days = window.Days.Count == 0 ? "every day" : string.Join(",", window.Days);
                    AddTiered(rates, $"{window.Start:HH\\:mm}-{window.End:HH\\:mm} UTC ({days})", window.Rates);
                }

                terminal.Console.Write(rates);
                if (period.WebSearch is { } webSearch)
                {
                    terminal.Console.MarkupLine(Markup.Escape($"  web search: {Rate(webSearch)} per 1,000 searches"));
                }

                if (entry.MaxOutputTokens is { } maxOutput)
                {
                    terminal.Console.MarkupLine(Markup.Escape($"  max output: {maxOutput.ToString("N0", CultureInfo.InvariantCulture)} tokens per call"));
                }

                if (entry.Source is { } source)
                {
                    terminal.Console.MarkupLine(Markup.Escape($"  source: {source}{(entry.Retrieved is { } retrieved ? $" (retrieved {retrieved:yyyy-MM-dd})" : string.Empty)}"));
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void AddTiered(Table rates, string name, TieredPriceRates tiered)
    {
        AddRates(rates, name, tiered.Base);
        foreach (var longContext in tiered.LongContext)
        {
            AddRates(rates, $"{name}, input above {longContext.AboveInputTokens.ToString("#,0", CultureInfo.InvariantCulture)}", longContext.Rates);
        }
    }

    private static Command Validate(Terminal terminal)
    {
        var file = new Argument<string>("file") { Description = "The price table file to check." };
        var command = new Command("validate", "Check a price table file as the SDK does at start-up; the message names a bad entry.") { file };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var table = PriceTables.Load(path, "validate");
            terminal.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: valid price table {table.Version} (schema {table.SchemaVersion}, {table.Currency}), {table.Entries.Count} entries, {table.Entries.Sum(e => e.Periods.Count)} price periods."));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Diff(Terminal terminal)
    {
        var oldTable = new Argument<string>("old") { Description = "The older table: a file, or 'embedded'." };
        var newTable = new Argument<string>("new") { Description = "The newer table: a file, or 'embedded'." };
        var command = new Command("diff", "Show the entries and price periods added, removed or changed between two tables.") { oldTable, newTable };
        command.SetAction(parse =>
        {
            var before = PriceTables.Load(parse.GetValue(oldTable), "old");
            var after = PriceTables.Load(parse.GetValue(newTable), "new");
            var lines = PriceTableDiff.Compare(before, after);
            terminal.Output.WriteLine($"Price table {before.Version} -> {after.Version}: {lines.Count} difference(s).");
            foreach (var line in lines)
            {
                terminal.Output.WriteLine(line);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Check(Terminal terminal, TimeProvider timeProvider)
    {
        var genai = new Option<string>("--genai-prices") { Description = "A genai-prices snapshot (dumped by tools/LlmCost.Sdk.PriceTools/dump-genai-prices.cjs) to compare with, through the curated overrides.", HelpName = "snapshot" };
        var litellm = new Option<string>("--litellm") { Description = "LiteLLM's model_prices_and_context_window.json to compare with.", HelpName = "file" };
        var at = new Option<string>("--at") { Description = "The day (yyyy-MM-dd, UTC) whose rates are compared with LiteLLM's. Default: today.", HelpName = "date" };
        var table = new Option<string>("--table") { Description = "The price table to check. Default: the embedded table.", HelpName = "file" };
        var overrides = new Option<string>("--overrides") { Description = "The curated overrides. Default: the repository's when run inside a clone, else the copy built into the tool.", HelpName = "file" };
        var command = new Command("check", "Compare the table with a newer genai-prices snapshot and/or LiteLLM's map: list every model whose rates differ or that one side lacks, and each override. Exit code 0 when nothing differs, 1 when something does.")
        {
            genai, litellm, at, table, overrides,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(genai) is null && parse.GetValue(litellm) is null)
            {
                throw new CliException(ExitCodes.UsageError, "prices check needs --genai-prices <snapshot> and/or --litellm <file>.");
            }

            var day = Arguments.Date(parse.GetValue(at), "--at") ?? DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
            var args = new List<string> { "--at", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) };
            AddOption(args, "--genai-prices", parse.GetValue(genai));
            AddOption(args, "--litellm", parse.GetValue(litellm));
            AddOption(args, "--table", parse.GetValue(table));
            AddOption(args, "--overrides", parse.GetValue(overrides));
            // Check's own exit code: 0 nothing differs, 1 differences found, 2 a usage or data error.
            return PriceTools.PriceCheck.Check([.. args], terminal.Output);
        });
        return command;
    }

    /// <summary>A day (at 00:00 UTC) or a UTC instant, as <c>lookup --at</c> takes it.</summary>
    private static DateTimeOffset? Instant(string? value, string option)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        return DateTimeOffset.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:sszzz"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant.ToUniversalTime()
            : throw new CliException(ExitCodes.UsageError, $"{option}: '{value}' is neither a date (yyyy-MM-dd) nor an instant (yyyy-MM-ddTHH:mm:ssZ, such as 2026-08-16T16:00:00Z).");
    }

    private static void AddOption(List<string> args, string name, string? value)
    {
        if (value is not null)
        {
            args.Add(name);
            args.Add(value);
        }
    }

    private static void AddRates(Table table, string name, PriceRates rates) =>
        table.AddRow(Markup.Escape(name), Rate(rates.Input), rates.CachedInput is { } c ? Rate(c) : "-", rates.CacheWrite is { } w ? Rate(w) : "-", Rate(rates.Output));

    private static string Rate(decimal value) => "$" + value.ToString("0.00####", CultureInfo.InvariantCulture);
}
