using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Reporting.Tests;

public class CostReportWriterTests
{
    private static Task<CostReport> ReportAsync(IReadOnlyList<CostDimension> groupBy, params CostRecord[] records) =>
        CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions
        {
            GroupBy = groupBy,
            TimeProvider = new FakeTimeProvider(new DateTimeOffset(2026, 11, 18, 12, 0, 0, TimeSpan.Zero)),
        });

    [Fact]
    public async Task WriteCsv_FeatureTeam_ExactFormat()
    {
        var report = await ReportAsync(
            [CostDimension.Feature, CostDimension.Team],
            Records.At("2026-11-10T10:00:00Z", 0.00522m, feature: "ticket-triage", team: "support"),
            Records.At("2026-11-10T11:00:00Z", 0.001m, feature: "ticket-triage", team: "support"),
            Records.At("2026-11-10T12:00:00Z", 1234.5m, feature: "search, \"v2\"", team: null),
            Records.At("2026-11-10T13:00:00Z", null, feature: "labs", team: "research"));

        var csv = new StringWriter();
        CostReportWriter.WriteCsv(report, csv);

        Assert.Equal(
            "feature,team,calls,cost\n" +
            "\"search, \"\"v2\"\"\",,1,1234.5\n" +
            "ticket-triage,support,2,0.00622\n" +
            "labs,research,1,0\n",
            csv.ToString());
    }

    [Theory]
    [InlineData(CostDimension.Provider, "provider")]
    [InlineData(CostDimension.Model, "model")]
    [InlineData(CostDimension.Feature, "feature")]
    [InlineData(CostDimension.Team, "team")]
    [InlineData(CostDimension.Customer, "customer")]
    [InlineData(CostDimension.Environment, "environment")]
    public async Task WriteCsv_HeaderNamesDimensionsAsInTheRecord(CostDimension dimension, string name)
    {
        var report = await ReportAsync([dimension], Records.At("2026-11-10T10:00:00Z", 2m));

        var csv = new StringWriter();
        CostReportWriter.WriteCsv(report, csv);

        Assert.StartsWith(name + ",calls,cost\n", csv.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteCsv_FixedCosts_FixedCostColumnAndUnallocatedRow_TotalsMatchTheReport()
    {
        var records = new[]
        {
            Records.At("2026-11-10T10:00:00Z", 1m, feature: "search", team: "support", input: 3000, output: 0),
            Records.At("2026-11-10T10:00:00Z", 1m, feature: "chat", team: "support", input: 1000, output: 0),
            Records.At("2026-11-10T10:00:00Z", 1m, feature: "review", team: "dev", input: 5000, output: 0),
        };
        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions
        {
            From = new DateOnly(2026, 11, 1),
            To = new DateOnly(2026, 11, 30),
            TimeProvider = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero)),
            FixedCosts =
            [
                new FixedCostLine { Name = "Support seats", MonthlyAmount = 1000m, Scope = new Dictionary<CostDimension, string> { [CostDimension.Team] = "support" } },
                new FixedCostLine { Name = "GPU", MonthlyAmount = 900m },
                new FixedCostLine { Name = "Nobody's", MonthlyAmount = 10m, Scope = new Dictionary<CostDimension, string> { [CostDimension.Team] = "legal" } },
            ],
        });

        var csv = new StringWriter();
        CostReportWriter.WriteCsv(report, csv);

        Assert.Equal(
            "feature,calls,cost,fixed_cost\n" +
            "chat,1,1,350\n" +
            "review,1,1,500\n" +
            "search,1,1,1050\n" +
            "(unallocated fixed cost),0,0,10\n",
            csv.ToString());
        var rows = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')).ToList();
        var sum = rows.Sum(r => decimal.Parse(r[2], System.Globalization.CultureInfo.InvariantCulture) + decimal.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(report.GrandTotal, sum);
    }

    [Fact]
    public async Task WriteCsv_FixedCostsAndTwoDimensions_UnallocatedRowKeepsTheColumnCount()
    {
        var report = await CostReportBuilder.BuildAsync(
            new InMemoryCostRecordQuery([Records.At("2026-11-10T10:00:00Z", 2m, feature: "search", team: "core")]),
            new CostReportOptions
            {
                GroupBy = [CostDimension.Feature, CostDimension.Team],
                From = new DateOnly(2026, 11, 1),
                To = new DateOnly(2026, 11, 30),
                TimeProvider = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero)),
                FixedCosts = [new FixedCostLine { Name = "Legal seats", MonthlyAmount = 30m, Scope = new Dictionary<CostDimension, string> { [CostDimension.Team] = "legal" } }],
            });

        var csv = new StringWriter();
        CostReportWriter.WriteCsv(report, csv);

        Assert.Equal(
            "feature,team,calls,cost,fixed_cost\n" +
            "search,core,1,2,0\n" +
            "(unallocated fixed cost),,0,0,30\n",
            csv.ToString());
    }

    [Fact]
    public async Task WriteJsonAsync_HasEverySectionWithExactNumbers()
    {
        var report = await ReportAsync([CostDimension.Feature], Records.At("2026-11-10T10:00:00Z", 0.00522m), Records.At("2026-11-11T10:00:00Z", null, model: "preview"));

        using var stream = new MemoryStream();
        await CostReportWriter.WriteJsonAsync(report, stream);
        using var json = JsonDocument.Parse(stream.ToArray());
        var root = json.RootElement;

        Assert.Equal("2026-11-01", root.GetProperty("from").GetString());
        Assert.Equal(0.00522m, root.GetProperty("total").GetProperty("cost").GetDecimal());
        Assert.Equal("feature", root.GetProperty("groupBy")[0].GetString());
        Assert.Equal("preview", root.GetProperty("unpriced")[0].GetProperty("model").GetString());
        foreach (var section in new[] { "summary", "groups", "breakdowns", "topMovers", "weekOverWeek", "daily", "anomalies", "untagged", "fixedCosts" })
        {
            Assert.True(root.TryGetProperty(section, out _), section);
        }

        Assert.Contains("weekday", root.GetProperty("summary").GetProperty("forecast").GetProperty("method").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WriteHtml_SelfContained_WithChartSeriesPointsForecastAndTables()
    {
        var records = Records.Daily(new DateOnly(2026, 10, 20), new DateOnly(2026, 11, 18), d => d == new DateOnly(2026, 11, 17) ? 90m : 10m, feature: "search")
            .Concat(Records.Daily(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 18), _ => 2m, feature: "chat"))
            .ToArray();
        var report = await ReportAsync([CostDimension.Feature], records);

        var html = new StringWriter();
        CostReportWriter.WriteHtml(report, html);
        var page = html.ToString();

        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", page.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
        Assert.Equal(2, Count(page, "<g class=\"series\""));
        Assert.Equal(2 * 30, Count(page, "<rect class=\"point\""));
        Assert.Contains("<polyline id=\"forecast\" class=\"forecast\" data-points=\"12\"", page, StringComparison.Ordinal);
        Assert.Contains("<circle class=\"anomaly\" data-date=\"2026-11-17\"", page, StringComparison.Ordinal);
        Assert.Contains("Spend by feature", page, StringComparison.Ordinal);
        Assert.Contains("Forecast method.", page, StringComparison.Ordinal);
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
