using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Reporting.Tests;

/// <summary>
/// The HTML report in a real browser (Debian's headless Chromium): it loads with no console message or error, the chart
/// has the right series and points, and a screenshot is kept as a CI artifact at artifacts/report.png.
/// Fails (does not skip) when Chromium is missing.
/// </summary>
public class HtmlReportChromiumTests
{
    [Fact]
    public async Task HtmlReport_InHeadlessChromium_LoadsCleanAndRendersTheChart()
    {
        HeadlessChromium.FindExecutable();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var records = Records.Daily(new DateOnly(2026, 10, 20), new DateOnly(2026, 11, 18), d => d == new DateOnly(2026, 11, 10) ? 95m : SpendMath.IsWeekend(d) ? 4m : 12m, feature: "ticket-triage")
            .Concat(Records.Daily(new DateOnly(2026, 10, 20), new DateOnly(2026, 11, 18), d => SpendMath.IsWeekend(d) ? 1m : 6m, feature: "search-summaries"))
            .Concat(Records.Daily(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 18), _ => 3m, feature: null))
            .ToArray();
        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions
        {
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById("America/Los_Angeles"),
            TimeProvider = new FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 23, 0, 0, TimeSpan.Zero)),
            FixedCosts = [new FixedCostLine { Name = "Seats", MonthlyAmount = 300m }],
        });
        var page = Path.Combine(Directory.CreateTempSubdirectory("llmcost-html-").FullName, "report.html");
        await using (var writer = new StreamWriter(page))
        {
            CostReportWriter.WriteHtml(report, writer);
        }

        await using var browser = await HeadlessChromium.StartAsync(timeout.Token);
        await browser.OpenAsync(page, 1100, 900, timeout.Token);

        var chart = await browser.EvaluateAsync("""
            (() => {
              const svg = document.querySelector('svg#daily-chart');
              const series = [...svg.querySelectorAll('g.series')];
              const box = svg.getBoundingClientRect();
              return {
                width: box.width, height: box.height,
                series: series.map(g => g.getAttribute('data-series')),
                points: series.map(g => g.querySelectorAll('rect.point').length),
                drawn: [...svg.querySelectorAll('rect.point')].filter(r => r.getBBox().height > 0).length,
                forecast: svg.querySelector('#forecast') ? svg.querySelector('#forecast').points.length : 0,
                anomalies: [...svg.querySelectorAll('circle.anomaly')].map(c => c.getAttribute('data-date')),
                tables: document.querySelectorAll('table').length,
                title: document.title
              };
            })()
            """, timeout.Token);

        var png = await browser.ScreenshotAsync(timeout.Token);
        var artifact = Path.Combine(RepositoryRoot(), "artifacts", "report.png");
        Directory.CreateDirectory(Path.GetDirectoryName(artifact)!);
        await File.WriteAllBytesAsync(artifact, png, timeout.Token);

        Assert.Empty(browser.ConsoleMessages);
        Assert.True(chart.GetProperty("width").GetDouble() > 500 && chart.GetProperty("height").GetDouble() > 150, chart.GetRawText());
        Assert.Equal(["ticket-triage", "search-summaries", "(none)"], chart.GetProperty("series").EnumerateArray().Select(s => s.GetString()));
        Assert.All(chart.GetProperty("points").EnumerateArray(), p => Assert.Equal(30, p.GetInt32())); // November, to month end
        Assert.Equal(18 + 18 + 18, chart.GetProperty("drawn").GetInt32()); // every series spent on each of the 18 days so far
        Assert.Equal(12, chart.GetProperty("forecast").GetInt32());        // Nov 19-30
        Assert.Contains("2026-11-10", chart.GetProperty("anomalies").EnumerateArray().Select(a => a.GetString()));
        Assert.True(chart.GetProperty("tables").GetInt32() >= 8);
        Assert.True(png.Length > 10_000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G');
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LlmCost.Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
