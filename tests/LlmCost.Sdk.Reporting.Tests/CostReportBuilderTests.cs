using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Reporting.Tests;

public class CostReportBuilderTests
{
    private static readonly DateOnly Nov18 = new(2026, 11, 18); // a Wednesday

    private static FakeTimeProvider ClockAt(string utc) => new(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));

    private static decimal WeekdayTenWeekendFour(DateOnly day) => SpendMath.IsWeekend(day) ? 4m : 10m;

    [Fact]
    public async Task BuildAsync_Forecast_UsesWeekdayAndWeekendPaces()
    {
        var query = new InMemoryCostRecordQuery(Records.Daily(new DateOnly(2026, 10, 20), Nov18, WeekdayTenWeekendFour));

        var report = await CostReportBuilder.BuildAsync(query, new CostReportOptions { TimeProvider = ClockAt("2026-11-18T15:00:00Z") });

        // November 1-18: 13 weekdays x $10 + 5 weekend days x $4 = $150. Left: 8 weekdays and 4 weekend days.
        var forecast = report.Summary.Forecast;
        Assert.Equal(new DateOnly(2026, 11, 1), report.From);
        Assert.Equal(Nov18, report.AsOf);
        Assert.Equal(150m, report.Summary.MonthToDate);
        Assert.Equal(10m, forecast.WeekdayPace);
        Assert.Equal(4m, forecast.WeekendPace);
        Assert.Equal(8, forecast.WeekdaysLeft);
        Assert.Equal(4, forecast.WeekendDaysLeft);
        Assert.Equal(246m, forecast.MonthEnd);
        Assert.Equal(new DateOnly(2026, 10, 21), forecast.WindowFrom);
        Assert.Equal(new DateOnly(2026, 11, 17), forecast.WindowTo);
        Assert.Contains("8 weekday(s) left x $10.00", forecast.Method, StringComparison.Ordinal);
        Assert.Contains("4 weekend day(s) left x $4.00", forecast.Method, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildAsync_Summary_TodayYesterdayAndWeekToTheSameDay()
    {
        var records = Records.Daily(new DateOnly(2026, 11, 2), Nov18, day => day.Day).ToList(); // $day-of-month per day
        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions { TimeProvider = ClockAt("2026-11-18T15:00:00Z") });

        Assert.Equal(18m, report.Summary.Today);
        Assert.Equal(17m, report.Summary.Yesterday);
        Assert.Equal(16m + 17m + 18m, report.Summary.ThisWeek);   // Monday 16th to Wednesday 18th
        Assert.Equal(9m + 10m + 11m, report.Summary.LastWeek);    // Monday 9th to Wednesday 11th
        Assert.Equal(21m, report.Summary.WeekChange);
        Assert.Equal(70m, report.Summary.WeekChangePercent);
    }

    [Fact]
    public async Task BuildAsync_WeekOverWeek_DecompositionSumsExactlyToTheChange()
    {
        var records = new List<CostRecord>();
        for (var day = new DateOnly(2026, 11, 5); day <= Nov18; day = day.AddDays(1))
        {
            var recent = day > Nov18.AddDays(-7);
            var noon = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
            for (var i = 0; i < (recent ? 3 : 2); i++)
            {
                // Recent calls are longer and some use a pricier model.
                records.Add(Records.At(noon.AddMinutes(i), recent && i == 0 ? 0.0331m : 0.0107m, model: recent && i == 0 ? "gpt-4o" : "gpt-4o-mini", input: recent ? 1300 : 1000, output: 100));
            }
        }

        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions { TimeProvider = ClockAt("2026-11-18T15:00:00Z") });

        var d = report.WeekOverWeek;
        Assert.Equal(new DateOnly(2026, 11, 12), d.CurrentFrom);
        Assert.Equal(new DateOnly(2026, 11, 5), d.BaseFrom);
        Assert.Equal(new DateOnly(2026, 11, 11), d.BaseTo);
        Assert.Equal(14, d.BaseCalls);
        Assert.Equal(21, d.CurrentCalls);
        Assert.Equal(7 * 0.0331m, d.Change);
        Assert.Equal(d.Change, d.Volume + d.TokensPerCall + d.PriceAndMix);
        Assert.Equal(14 * 0.0107m * 7 / 14, d.Volume); // 50% more calls at the base cost per call
        Assert.True(d.TokensPerCall > 0);
        Assert.True(d.PriceAndMix > 0);
    }

    [Fact]
    public async Task BuildAsync_AnomalyDay_FlaggedWithMedianMadAndScore()
    {
        // Weekdays cost 9, 10, 11 in turn (median 10, MAD 1), weekends 4; Tuesday the 17th costs 50.
        var weekday = 0;
        var records = Records.Daily(new DateOnly(2026, 10, 19), Nov18, day =>
            day == new DateOnly(2026, 11, 17) ? 50m : SpendMath.IsWeekend(day) ? 4m : 9m + (weekday++ % 3)).ToList();

        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions { TimeProvider = ClockAt("2026-11-18T15:00:00Z") });

        var total = Assert.Single(report.Anomalies, a => a.Dimension is null);
        Assert.Equal(new DateOnly(2026, 11, 17), total.Date);
        Assert.Equal(50m, total.Cost);
        Assert.Equal(10m, total.Median);
        Assert.Equal(1m, total.Mad);
        Assert.Equal(26.98m, total.Score); // 0.6745 x (50 - 10) / 1
        Assert.Contains(report.Anomalies, a => a.Dimension == CostDimension.Feature && a.Key == "search" && a.Date == total.Date);
        Assert.DoesNotContain(report.Anomalies, a => SpendMath.IsWeekend(a.Date));
    }

    [Fact]
    public async Task BuildAsync_LowSpendSoFarToday_IsNotADrop()
    {
        var records = Records.Daily(new DateOnly(2026, 10, 19), Nov18.AddDays(-1), WeekdayTenWeekendFour).Append(Records.At("2026-11-18T01:00:00Z", 0.5m));

        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions { TimeProvider = ClockAt("2026-11-18T02:00:00Z") });

        Assert.DoesNotContain(report.Anomalies, a => a.Date == Nov18);
    }

    [Fact]
    public async Task BuildAsync_UnpricedAndUntagged_AreCountedNeverZeroDollars()
    {
        var records = new[]
        {
            Records.At("2026-11-10T10:00:00Z", 3m, feature: "search"),
            Records.At("2026-11-10T11:00:00Z", 1m, feature: null),
            Records.At("2026-11-10T12:00:00Z", null, feature: "labs", model: "preview-x", input: 500, output: 50),
            Records.At("2026-11-11T12:00:00Z", null, feature: "labs", model: "preview-x", input: 500, output: 50),
            Records.At("2026-11-11T12:00:00Z", null, feature: "labs", model: "other-preview", provider: "anthropic"),
        };

        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions { TimeProvider = ClockAt("2026-11-18T15:00:00Z") });

        Assert.Equal(4m, report.Total.Cost);
        Assert.Equal(3, report.Total.UnpricedCalls);
        Assert.Collection(report.Unpriced,
            u => { Assert.Equal(("openai", "preview-x", 2L, 1100L), (u.Provider, u.Model, u.Calls, u.Tokens)); },
            u => { Assert.Equal(("anthropic", "other-preview", 1L), (u.Provider, u.Model, u.Calls)); });
        var labs = Assert.Single(report.Groups, g => g.Keys[0] == "labs");
        Assert.Null(labs.CostPerCall); // unknown, not $0 per call
        Assert.Equal(3, labs.UnpricedCalls);
        Assert.Equal(1m, report.Untagged.Cost);
        Assert.Equal(1, report.Untagged.Calls);
        Assert.Equal(0.25m, report.Untagged.Share);
    }

    [Fact]
    public async Task BuildAsync_GroupByTwoDimensions_SortedByCost()
    {
        var records = new[]
        {
            Records.At("2026-11-10T10:00:00Z", 1m, feature: "search", team: "core"),
            Records.At("2026-11-10T10:00:00Z", 5m, feature: "search", team: "growth"),
            Records.At("2026-11-10T10:00:00Z", 2m, feature: "chat", team: "core"),
            Records.At("2026-11-11T10:00:00Z", 2m, feature: "chat", team: "core"),
        };

        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions
        {
            GroupBy = [CostDimension.Feature, CostDimension.Team],
            TimeProvider = ClockAt("2026-11-18T15:00:00Z"),
        });

        Assert.Equal(["search/growth", "chat/core", "search/core"], report.Groups.Select(g => string.Join('/', g.Keys)));
        Assert.Equal([5m, 4m, 1m], report.Groups.Select(g => g.Cost));
        Assert.Equal(2, report.Groups[1].Calls);
        Assert.Equal(2m, report.Groups[1].CostPerCall);
        Assert.Equal(6, report.Breakdowns.Count);
    }

    [Fact]
    public async Task BuildAsync_FixedCosts_AllocatedByTokenShare_TotalsMatch()
    {
        var records = new[]
        {
            Records.At("2026-11-10T10:00:00Z", 1m, feature: "search", team: "support", input: 3000, output: 0),
            Records.At("2026-11-10T10:00:00Z", 1m, feature: "chat", team: "support", input: 1000, output: 0),
            Records.At("2026-11-10T10:00:00Z", 1m, feature: "review", team: "dev", input: 5000, output: 0),
        };
        var options = new CostReportOptions
        {
            From = new DateOnly(2026, 11, 1),
            To = new DateOnly(2026, 11, 30),
            TimeProvider = ClockAt("2026-12-05T00:00:00Z"),
            FixedCosts =
            [
                new FixedCostLine { Name = "Support seats", MonthlyAmount = 1000m, Scope = new Dictionary<CostDimension, string> { [CostDimension.Team] = "support" } },
                new FixedCostLine { Name = "GPU", MonthlyAmount = 900m },
                new FixedCostLine { Name = "Nobody's", MonthlyAmount = 10m, Scope = new Dictionary<CostDimension, string> { [CostDimension.Team] = "legal" } },
            ],
        };

        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), options);

        Assert.Equal(1910m, report.FixedCostTotal);
        Assert.Equal(1913m, report.GrandTotal);
        Assert.Equal(750m + 300m, report.Groups.Single(g => g.Keys[0] == "search").FixedCost);   // 3/4 of seats, 3/9 of GPU
        Assert.Equal(250m + 100m, report.Groups.Single(g => g.Keys[0] == "chat").FixedCost);
        Assert.Equal(500m, report.Groups.Single(g => g.Keys[0] == "review").FixedCost);
        Assert.Equal(1900m, report.Groups.Sum(g => g.FixedCost));
        var unallocated = Assert.Single(report.FixedCosts, f => f.Keys is null);
        Assert.Equal(("Nobody's", 10m), (unallocated.Line, unallocated.Amount));
    }

    [Fact]
    public async Task BuildAsync_FixedCosts_PartOfAMonth_ProratedByDays()
    {
        var records = new[] { Records.At("2026-11-10T10:00:00Z", 1m) };
        var options = new CostReportOptions
        {
            From = new DateOnly(2026, 11, 1),
            To = new DateOnly(2026, 11, 15),
            TimeProvider = ClockAt("2026-11-15T20:00:00Z"),
            FixedCosts = [new FixedCostLine { Name = "Seats", MonthlyAmount = 300m }],
        };

        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), options);

        Assert.Equal(150m, report.FixedCostTotal); // 15 of November's 30 days
    }

    [Fact]
    public async Task BuildAsync_DailyChart_OneValuePerSeriesAndDay_ForecastAfterToday()
    {
        var records = Records.Daily(new DateOnly(2026, 10, 20), Nov18, WeekdayTenWeekendFour, feature: "search")
            .Concat(Records.Daily(new DateOnly(2026, 11, 10), Nov18, _ => 1m, feature: "chat"));

        var report = await CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery(records), new CostReportOptions { TimeProvider = ClockAt("2026-11-18T15:00:00Z") });

        Assert.Equal(["search", "chat"], report.ChartSeries);
        Assert.Equal(30, report.Daily.Count); // November, to month end for the forecast
        Assert.All(report.Daily, d => Assert.Equal(2, d.Series.Count));
        Assert.Equal(11m, report.Daily.Single(d => d.Date == new DateOnly(2026, 11, 10)).Cost);
        Assert.Equal(12, report.Daily.Count(d => d.Forecast is not null));
        // Weekday pace over Oct 21 - Nov 17: 20 weekdays of $10 search plus 6 weekdays of $1 chat = $206 / 20.
        Assert.Equal(10.3m, report.Daily.Single(d => d.Date == new DateOnly(2026, 11, 19)).Forecast);
        Assert.Equal(4.25m, report.Daily.Single(d => d.Date == new DateOnly(2026, 11, 21)).Forecast);
    }

    [Fact]
    public async Task BuildAsync_PeriodEndsBeforeItStarts_Throws()
    {
        var options = new CostReportOptions { From = new DateOnly(2026, 11, 10), To = new DateOnly(2026, 11, 1) };

        await Assert.ThrowsAsync<ArgumentException>(() => CostReportBuilder.BuildAsync(new InMemoryCostRecordQuery([]), options));
    }
}
