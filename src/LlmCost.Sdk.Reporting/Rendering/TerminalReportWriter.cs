using Spectre.Console;

namespace LlmCost.Sdk.Reporting;

/// <summary>The terminal output: Spectre.Console tables, one per section.</summary>
internal static class TerminalReportWriter
{
    public static void Write(CostReport report, IAnsiConsole console)
    {
        var s = report.Summary;
        console.Write(new Rule(Markup.Escape($"LLM spend {Format.Date(report.From)} to {Format.Date(report.To)} ({report.TimeZone}), as of {Format.Date(report.AsOf)}")).LeftJustified());

        var summary = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn(new TableColumn("USD").RightAligned()).AddColumn("");
        summary.AddRow("Today", Format.Money(s.Today), "");
        summary.AddRow("Yesterday", Format.Money(s.Yesterday), "");
        summary.AddRow("This week", Format.Money(s.ThisWeek), Markup.Escape($"vs {Format.Money(s.LastWeek)} last week to the same day: {Format.SignedMoney(s.WeekChange)} ({Format.Percent(s.WeekChangePercent)})"));
        summary.AddRow("Month to date", Format.Money(s.MonthToDate), "");
        summary.AddRow("Month-end forecast", Format.Money(s.Forecast.MonthEnd), "");
        summary.AddRow("Period total", Format.Money(report.Total.Cost), Markup.Escape($"{Format.Count(report.Total.Calls)} calls, {Format.Count(report.Total.Tokens)} tokens"));
        if (report.FixedCostTotal != 0)
        {
            summary.AddRow("Fixed costs", Format.Money(report.FixedCostTotal), "");
            summary.AddRow("[bold]Total with fixed costs[/]", "[bold]" + Format.Money(report.GrandTotal) + "[/]", "");
        }

        console.Write(summary);
        console.MarkupLine("[grey]Forecast: {0}[/]", Markup.Escape(s.Forecast.Method));
        var d = report.WeekOverWeek;
        console.MarkupLine(
            "Last 7 days vs the 7 before, {0}: more/fewer calls {1}, tokens per call {2}, price and mix {3}.",
            Markup.Escape(Format.SignedMoney(d.Change)), Markup.Escape(Format.SignedMoney(d.Volume)), Markup.Escape(Format.SignedMoney(d.TokensPerCall)), Markup.Escape(Format.SignedMoney(d.PriceAndMix)));
        console.WriteLine();

        console.Write(GroupTable("Spend by " + string.Join(", ", report.GroupBy.Select(Dimensions.Name)), report.GroupBy.Select(Dimensions.Name).ToList(), report.Groups, showFixed: report.FixedCostTotal != 0));
        foreach (var breakdown in report.Breakdowns.Where(b => !(report.GroupBy.Count == 1 && report.GroupBy[0] == b.Dimension)))
        {
            console.Write(GroupTable("Spend by " + Dimensions.Name(breakdown.Dimension), [Dimensions.Name(breakdown.Dimension)], breakdown.Rows, showFixed: false));
        }

        if (report.TopMovers.Count > 0)
        {
            var movers = new Table().Border(TableBorder.Rounded).Title("Top movers, last 7 days vs the 7 before");
            movers.AddColumn(string.Join(" / ", report.GroupBy.Select(Dimensions.Name)));
            movers.AddColumn(new TableColumn("last 7 days").RightAligned()).AddColumn(new TableColumn("7 before").RightAligned()).AddColumn(new TableColumn("change").RightAligned()).AddColumn(new TableColumn("%").RightAligned());
            foreach (var m in report.TopMovers)
            {
                movers.AddRow(Markup.Escape(Format.Keys(m.Keys)), Format.Money(m.ThisWeek), Format.Money(m.LastWeek), Markup.Escape(Format.SignedMoney(m.Change)), Markup.Escape(Format.Percent(m.ChangePercent)));
            }

            console.Write(movers);
        }

        if (report.Anomalies.Count > 0)
        {
            var anomalies = new Table().Border(TableBorder.Rounded).Title("Anomaly days (robust z-score against the same kind of day in the trailing window)");
            anomalies.AddColumn("day").AddColumn("scope").AddColumn(new TableColumn("spend").RightAligned()).AddColumn(new TableColumn("median").RightAligned()).AddColumn(new TableColumn("score").RightAligned());
            foreach (var a in report.Anomalies.Take(30))
            {
                anomalies.AddRow(Format.Date(a.Date), Markup.Escape(Scope(a)), Format.Money(a.Cost), Format.Money(a.Median), a.Score.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(anomalies);
            if (report.Anomalies.Count > 30)
            {
                console.MarkupLine("[grey]… and {0} more (see --json).[/]", report.Anomalies.Count - 30);
            }
        }

        console.MarkupLine(
            "Untagged spend (no feature): {0} in {1} calls, {2} of the period.",
            Markup.Escape(Format.Money(report.Untagged.Cost)), Format.Count(report.Untagged.Calls), Markup.Escape(Format.Share(report.Untagged.Share)));
        if (report.Unpriced.Count > 0)
        {
            var unpriced = new Table().Border(TableBorder.Rounded).Title("Unpriced calls (cost unknown, not $0)");
            unpriced.AddColumn("provider").AddColumn("model").AddColumn(new TableColumn("calls").RightAligned()).AddColumn(new TableColumn("tokens").RightAligned());
            foreach (var u in report.Unpriced)
            {
                unpriced.AddRow(Markup.Escape(Format.Key(u.Provider)), Markup.Escape(Format.Key(u.Model)), Format.Count(u.Calls), Format.Count(u.Tokens));
            }

            console.Write(unpriced);
        }
        else
        {
            console.MarkupLine("Unpriced calls: none.");
        }

        if (report.FixedCosts.Count > 0)
        {
            var fixedCosts = new Table().Border(TableBorder.Rounded).Title("Fixed costs allocated by token share");
            fixedCosts.AddColumn("line").AddColumn(string.Join(" / ", report.GroupBy.Select(Dimensions.Name))).AddColumn(new TableColumn("token share").RightAligned()).AddColumn(new TableColumn("USD").RightAligned());
            foreach (var f in report.FixedCosts)
            {
                fixedCosts.AddRow(Markup.Escape(f.Line), Markup.Escape(f.Keys is null ? "(unallocated: no tokens in scope)" : Format.Keys(f.Keys)), Format.Share(f.TokenShare), Format.Money(f.Amount));
            }

            console.Write(fixedCosts);
        }
    }

    internal static string Scope(CostAnomaly a) => a.Dimension is { } dimension ? $"{Dimensions.Name(dimension)} = {Format.Key(a.Key)}" : "total";

    private static Table GroupTable(string title, IReadOnlyList<string> columns, IReadOnlyList<CostGroup> rows, bool showFixed)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        foreach (var column in columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        table.AddColumn(new TableColumn("calls").RightAligned()).AddColumn(new TableColumn("tokens").RightAligned()).AddColumn(new TableColumn("cost").RightAligned())
            .AddColumn(new TableColumn("per call").RightAligned()).AddColumn(new TableColumn("share").RightAligned()).AddColumn(new TableColumn("unpriced").RightAligned());
        if (showFixed)
        {
            table.AddColumn(new TableColumn("fixed").RightAligned());
        }

        foreach (var row in rows)
        {
            var cells = row.Keys.Select(k => Markup.Escape(Format.Key(k))).ToList();
            cells.Add(Format.Count(row.Calls));
            cells.Add(Format.Count(row.Tokens));
            cells.Add(Format.Money(row.Cost));
            cells.Add(row.CostPerCall is { } perCall ? Format.Money(perCall) : "-");
            cells.Add(Format.Share(row.Share));
            cells.Add(row.UnpricedCalls == 0 ? "" : "[yellow]" + Format.Count(row.UnpricedCalls) + "[/]");
            if (showFixed)
            {
                cells.Add(Format.Money(row.FixedCost));
            }

            table.AddRow([.. cells]);
        }

        return table;
    }
}
