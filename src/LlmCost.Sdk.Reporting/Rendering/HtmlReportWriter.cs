using System.Globalization;
using System.Net;
using System.Text;

namespace LlmCost.Sdk.Reporting;

/// <summary>
/// The HTML output: one page with inline CSS and an SVG chart made here, so it opens offline, from a mail attachment or
/// a CI artifact, with nothing fetched and no script run.
/// </summary>
/// <remarks>
/// The chart's structure is stable for tests and tools: <c>svg#daily-chart</c> holds one <c>g.series</c> per stacked
/// series (<c>data-series</c> is its name) with one <c>rect.point</c> per day (<c>data-date</c>, <c>data-cost</c>), a
/// <c>polyline#forecast</c> with one point per forecast day, and one <c>circle.anomaly</c> per day marked.
/// </remarks>
internal static class HtmlReportWriter
{
    private static readonly string[] Palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    private const double Width = 960, Height = 340, Left = 64, Right = 16, Top = 16, Bottom = 48;

    public static void Write(CostReport report, TextWriter writer)
    {
        var html = new StringBuilder(64 * 1024);
        var title = $"LLM spend {Format.Date(report.From)} to {Format.Date(report.To)}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
            .Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n<p class=\"meta\">Days in ").Append(E(report.TimeZone)).Append(", as of ").Append(Format.Date(report.AsOf))
            .Append(". Generated ").Append(E(report.GeneratedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append(" by llmcost.</p>\n");

        Summary(html, report);
        Chart(html, report);
        var groupColumns = report.GroupBy.Select(Dimensions.Name).ToList();
        GroupTable(html, "Spend by " + string.Join(", ", groupColumns), groupColumns, report.Groups, report.FixedCostTotal != 0);
        Movers(html, report);
        Anomalies(html, report);
        Unpriced(html, report);
        FixedCosts(html, report);
        foreach (var breakdown in report.Breakdowns)
        {
            GroupTable(html, "Spend by " + Dimensions.Name(breakdown.Dimension), [Dimensions.Name(breakdown.Dimension)], breakdown.Rows, showFixed: false);
        }

        html.Append("</main>\n</body>\n</html>\n");
        writer.Write(html.ToString());
    }

    private static void Summary(StringBuilder html, CostReport report)
    {
        var s = report.Summary;
        html.Append("<section class=\"cards\">\n");
        Card(html, "Today", Format.Money(s.Today), "yesterday " + Format.Money(s.Yesterday));
        Card(html, "This week", Format.Money(s.ThisWeek), $"{Format.SignedMoney(s.WeekChange)} ({Format.Percent(s.WeekChangePercent)}) vs last week to the same day ({Format.Money(s.LastWeek)})");
        Card(html, "Month to date", Format.Money(s.MonthToDate), "forecast " + Format.Money(s.Forecast.MonthEnd) + " at month end");
        Card(html, "Period", Format.Money(report.Total.Cost), $"{Format.Count(report.Total.Calls)} calls, {Format.Count(report.Total.Tokens)} tokens");
        if (report.FixedCostTotal != 0)
        {
            Card(html, "With fixed costs", Format.Money(report.GrandTotal), "fixed " + Format.Money(report.FixedCostTotal));
        }

        Card(html, "Untagged", Format.Share(report.Untagged.Share), $"{Format.Money(report.Untagged.Cost)} in {Format.Count(report.Untagged.Calls)} calls with no feature");
        html.Append("</section>\n");
        html.Append("<p class=\"method\"><strong>Forecast method.</strong> ").Append(E(s.Forecast.Method)).Append("</p>\n");
        var d = report.WeekOverWeek;
        html.Append("<h2>Last 7 days vs the 7 before: what changed</h2>\n<table class=\"decomposition\"><thead><tr><th>part</th><th class=\"n\">USD</th><th>meaning</th></tr></thead><tbody>\n");
        Row(html, "more or fewer calls", Format.SignedMoney(d.Volume), $"{Format.Count(d.BaseCalls)} → {Format.Count(d.CurrentCalls)} calls");
        Row(html, "tokens per call", Format.SignedMoney(d.TokensPerCall), $"{Format.Count(d.BaseTokens)} → {Format.Count(d.CurrentTokens)} tokens in all");
        Row(html, "price and mix", Format.SignedMoney(d.PriceAndMix), "cost per token: price changes and model mix");
        Row(html, "total change", Format.SignedMoney(d.Change), $"{Format.Date(d.BaseFrom)}..{Format.Date(d.BaseTo)} {Format.Money(d.BaseCost)} → {Format.Date(d.CurrentFrom)}..{Format.Date(d.CurrentTo)} {Format.Money(d.CurrentCost)}");
        html.Append("</tbody></table>\n<p class=\"method\">Volume = C0·(N1−N0)/N0; tokens per call = C0·(N1/N0)·(T1−T0)/T0; price and mix = the rest, C1 − C0·(N1·T1)/(N0·T0). The three add up exactly to the change.</p>\n");
    }

    private static void Chart(StringBuilder html, CostReport report)
    {
        var days = report.Daily;
        var n = Math.Max(days.Count, 1);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var max = 0m;
        foreach (var day in days)
        {
            max = Math.Max(max, Math.Max(day.Cost, day.Forecast ?? 0m));
        }

        var yMax = NiceCeiling((double)max);
        double X(int i) => Left + (plotWidth * (i + 0.5) / n);
        double Y(decimal value) => Top + plotHeight - (plotHeight * (double)value / yMax);
        var barWidth = Math.Max(1, plotWidth / n * 0.78);

        html.Append("<h2>Daily spend by ").Append(E(Dimensions.Name(report.ChartBy))).Append("</h2>\n<figure>\n<svg id=\"daily-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
            .Append(N(Width)).Append(' ').Append(N(Height)).Append("\" role=\"img\" aria-label=\"Daily spend\" data-days=\"").Append(days.Count).Append("\">\n");
        for (var i = 0; i <= 4; i++)
        {
            var value = yMax * i / 4;
            var y = Top + plotHeight - (plotHeight * i / 4);
            html.Append("<line class=\"grid\" x1=\"").Append(N(Left)).Append("\" x2=\"").Append(N(Width - Right)).Append("\" y1=\"").Append(N(y)).Append("\" y2=\"").Append(N(y)).Append("\"/>")
                .Append("<text class=\"axis\" x=\"").Append(N(Left - 6)).Append("\" y=\"").Append(N(y + 4)).Append("\" text-anchor=\"end\">").Append(E(Format.Money((decimal)value))).Append("</text>\n");
        }

        var labelEvery = Math.Max(1, (int)Math.Ceiling(n / 12.0));
        for (var i = 0; i < days.Count; i += labelEvery)
        {
            html.Append("<text class=\"axis\" x=\"").Append(N(X(i))).Append("\" y=\"").Append(N(Height - Bottom + 16)).Append("\" text-anchor=\"middle\">")
                .Append(days[i].Date.ToString("MM-dd", CultureInfo.InvariantCulture)).Append("</text>\n");
        }

        var stackTop = new decimal[days.Count];
        for (var s = 0; s < report.ChartSeries.Count; s++)
        {
            html.Append("<g class=\"series\" data-series=\"").Append(E(report.ChartSeries[s])).Append("\" fill=\"").Append(Palette[s % Palette.Length]).Append("\">\n");
            for (var i = 0; i < days.Count; i++)
            {
                var value = days[i].Series[s];
                var bottom = Y(stackTop[i]);
                stackTop[i] += value;
                var top = Y(stackTop[i]);
                html.Append("<rect class=\"point\" data-date=\"").Append(Format.Date(days[i].Date)).Append("\" data-cost=\"").Append(Format.Exact(value))
                    .Append("\" x=\"").Append(N(X(i) - (barWidth / 2))).Append("\" y=\"").Append(N(top)).Append("\" width=\"").Append(N(barWidth)).Append("\" height=\"").Append(N(Math.Max(0, bottom - top)))
                    .Append("\"><title>").Append(E($"{Format.Date(days[i].Date)} {report.ChartSeries[s]}: {Format.Money(value)}")).Append("</title></rect>\n");
            }

            html.Append("</g>\n");
        }

        var forecast = days.Select((d, i) => (d, i)).Where(p => p.d.Forecast is not null).ToList();
        if (forecast.Count > 0)
        {
            html.Append("<polyline id=\"forecast\" class=\"forecast\" data-points=\"").Append(forecast.Count).Append("\" points=\"");
            html.AppendJoin(' ', forecast.Select(p => N(X(p.i)) + "," + N(Y(p.d.Forecast!.Value))));
            html.Append("\"><title>").Append(E("Forecast: " + report.Summary.Forecast.Method)).Append("</title></polyline>\n");
            if (forecast.Count == 1)
            {
                var only = forecast[0];
                html.Append("<circle class=\"forecast-point\" cx=\"").Append(N(X(only.i))).Append("\" cy=\"").Append(N(Y(only.d.Forecast!.Value))).Append("\" r=\"3\"/>\n");
            }
        }

        var marked = report.Anomalies.Where(a => a.Dimension is null || a.Dimension == report.ChartBy).GroupBy(a => a.Date);
        var index = days.Select((d, i) => (d.Date, i)).ToDictionary(p => p.Date, p => p.i);
        foreach (var day in marked)
        {
            if (!index.TryGetValue(day.Key, out var i))
            {
                continue;
            }

            var label = string.Join("; ", day.Select(a => $"{TerminalReportWriter.Scope(a)} {Format.Money(a.Cost)} vs median {Format.Money(a.Median)} (score {a.Score.ToString("0.0", CultureInfo.InvariantCulture)})"));
            html.Append("<circle class=\"anomaly\" data-date=\"").Append(Format.Date(day.Key)).Append("\" cx=\"").Append(N(X(i))).Append("\" cy=\"").Append(N(Math.Max(Top + 6, Y(days[i].Cost) - 8)))
                .Append("\" r=\"5\"><title>").Append(E("Anomaly " + Format.Date(day.Key) + ": " + label)).Append("</title></circle>\n");
        }

        html.Append("</svg>\n<figcaption class=\"legend\">");
        for (var s = 0; s < report.ChartSeries.Count; s++)
        {
            html.Append("<span><i style=\"background:").Append(Palette[s % Palette.Length]).Append("\"></i>").Append(E(report.ChartSeries[s])).Append("</span>");
        }

        if (forecast.Count > 0)
        {
            html.Append("<span><i class=\"dash\"></i>forecast (daily pace)</span>");
        }

        html.Append("<span><i class=\"dot\"></i>anomaly</span></figcaption>\n</figure>\n");
    }

    private static void GroupTable(StringBuilder html, string title, IReadOnlyList<string> columns, IReadOnlyList<CostGroup> rows, bool showFixed)
    {
        html.Append("<h2>").Append(E(title)).Append("</h2>\n<table class=\"groups\"><thead><tr>");
        foreach (var column in columns)
        {
            html.Append("<th>").Append(E(column)).Append("</th>");
        }

        html.Append("<th class=\"n\">calls</th><th class=\"n\">tokens</th><th class=\"n\">cost</th><th class=\"n\">per call</th><th class=\"n\">share</th><th class=\"n\">unpriced</th>");
        if (showFixed)
        {
            html.Append("<th class=\"n\">fixed</th>");
        }

        html.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var key in row.Keys)
            {
                html.Append(key is null ? "<td class=\"none\">" : "<td>").Append(E(Format.Key(key))).Append("</td>");
            }

            Cell(html, Format.Count(row.Calls));
            Cell(html, Format.Count(row.Tokens));
            Cell(html, Format.Money(row.Cost));
            Cell(html, row.CostPerCall is { } perCall ? Format.Money(perCall) : "-");
            Cell(html, Format.Share(row.Share));
            Cell(html, row.UnpricedCalls == 0 ? string.Empty : Format.Count(row.UnpricedCalls));
            if (showFixed)
            {
                Cell(html, Format.Money(row.FixedCost));
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void Movers(StringBuilder html, CostReport report)
    {
        html.Append("<h2>Top movers, last 7 days vs the 7 before</h2>\n");
        if (report.TopMovers.Count == 0)
        {
            html.Append("<p>No group changed.</p>\n");
            return;
        }

        html.Append("<table><thead><tr><th>").Append(E(string.Join(" / ", report.GroupBy.Select(Dimensions.Name))))
            .Append("</th><th class=\"n\">last 7 days</th><th class=\"n\">7 before</th><th class=\"n\">change</th><th class=\"n\">%</th></tr></thead><tbody>\n");
        foreach (var m in report.TopMovers)
        {
            html.Append("<tr><td>").Append(E(Format.Keys(m.Keys))).Append("</td>");
            Cell(html, Format.Money(m.ThisWeek));
            Cell(html, Format.Money(m.LastWeek));
            Cell(html, Format.SignedMoney(m.Change));
            Cell(html, Format.Percent(m.ChangePercent));
            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void Anomalies(StringBuilder html, CostReport report)
    {
        html.Append("<h2>Anomaly days</h2>\n");
        if (report.Anomalies.Count == 0)
        {
            html.Append("<p>No day was far from its trailing median.</p>\n");
            return;
        }

        html.Append("<table><thead><tr><th>day</th><th>scope</th><th class=\"n\">spend</th><th class=\"n\">median</th><th class=\"n\">MAD</th><th class=\"n\">score</th></tr></thead><tbody>\n");
        foreach (var a in report.Anomalies)
        {
            html.Append("<tr><td>").Append(Format.Date(a.Date)).Append("</td><td>").Append(E(TerminalReportWriter.Scope(a))).Append("</td>");
            Cell(html, Format.Money(a.Cost));
            Cell(html, Format.Money(a.Median));
            Cell(html, Format.Money(a.Mad));
            Cell(html, a.Score.ToString("0.0", CultureInfo.InvariantCulture));
            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void Unpriced(StringBuilder html, CostReport report)
    {
        html.Append("<h2>Unpriced calls</h2>\n");
        if (report.Unpriced.Count == 0)
        {
            html.Append("<p>Every call has a price.</p>\n");
            return;
        }

        html.Append("<p>These calls have no cost (model not in the price table, or usage unknown): their spend is unknown, not $0.</p>\n<table><thead><tr><th>provider</th><th>model</th><th class=\"n\">calls</th><th class=\"n\">tokens</th></tr></thead><tbody>\n");
        foreach (var u in report.Unpriced)
        {
            html.Append("<tr><td>").Append(E(Format.Key(u.Provider))).Append("</td><td>").Append(E(Format.Key(u.Model))).Append("</td>");
            Cell(html, Format.Count(u.Calls));
            Cell(html, Format.Count(u.Tokens));
            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void FixedCosts(StringBuilder html, CostReport report)
    {
        if (report.FixedCosts.Count == 0)
        {
            return;
        }

        html.Append("<h2>Fixed costs, allocated by token share</h2>\n<table><thead><tr><th>line</th><th>").Append(E(string.Join(" / ", report.GroupBy.Select(Dimensions.Name))))
            .Append("</th><th class=\"n\">token share</th><th class=\"n\">USD</th></tr></thead><tbody>\n");
        foreach (var f in report.FixedCosts)
        {
            html.Append("<tr><td>").Append(E(f.Line)).Append("</td><td>").Append(E(f.Keys is null ? "(unallocated: no tokens in scope)" : Format.Keys(f.Keys))).Append("</td>");
            Cell(html, Format.Share(f.TokenShare));
            Cell(html, Format.Money(f.Amount));
            html.Append("</tr>\n");
        }

        html.Append("</tbody></table>\n");
    }

    private static void Card(StringBuilder html, string label, string value, string detail) =>
        html.Append("<div class=\"card\"><div class=\"label\">").Append(E(label)).Append("</div><div class=\"value\">").Append(E(value)).Append("</div><div class=\"detail\">").Append(E(detail)).Append("</div></div>\n");

    private static void Row(StringBuilder html, string part, string amount, string meaning) =>
        html.Append("<tr><td>").Append(E(part)).Append("</td><td class=\"n\">").Append(E(amount)).Append("</td><td>").Append(E(meaning)).Append("</td></tr>\n");

    private static void Cell(StringBuilder html, string text) => html.Append("<td class=\"n\">").Append(E(text)).Append("</td>");

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (value <= step * magnitude)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private const string Css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa;margin:0}
        main{max-width:1000px;margin:0 auto;padding:24px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
        .meta,.method{color:#59636e;font-size:12px}
        .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:16px 0}
        .card{background:#fff;border:1px solid #d1d9e0;border-radius:8px;padding:10px 12px}
        .card .label{color:#59636e;font-size:12px}.card .value{font-size:20px;font-weight:600}.card .detail{color:#59636e;font-size:12px}
        figure{margin:0;background:#fff;border:1px solid #d1d9e0;border-radius:8px;padding:8px}
        svg{width:100%;height:auto;display:block}
        .grid{stroke:#e6e9ed;stroke-width:1}.axis{fill:#59636e;font-size:11px}
        .forecast{fill:none;stroke:#1f2328;stroke-width:2;stroke-dasharray:6 4}.forecast-point{fill:#1f2328}
        .anomaly{fill:#d1242f;stroke:#fff;stroke-width:1.5}
        .legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;color:#59636e;padding:6px 4px 0}
        .legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px;border-radius:2px}
        .legend i.dash{height:0;border-top:2px dashed #1f2328;border-radius:0;width:16px;vertical-align:3px}
        .legend i.dot{background:#d1242f;border-radius:50%}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d1d9e0;font-size:13px}
        th,td{padding:5px 8px;border-bottom:1px solid #eef1f4;text-align:left}th{background:#f0f3f6;font-weight:600}
        .n{text-align:right;font-variant-numeric:tabular-nums}.none{color:#8c959f;font-style:italic}

        """;
}
