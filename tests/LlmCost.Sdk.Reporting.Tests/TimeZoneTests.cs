using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Reporting.Tests;

/// <summary>Buckets become local days at the right instant: west of UTC, at a half-hour offset, and on a 25-hour DST day.</summary>
public class TimeZoneTests
{
    private static async Task<Dictionary<DateOnly, decimal>> DailyAsync(string timeZone, DateOnly from, DateOnly to, params (string Utc, decimal Cost)[] calls)
    {
        var query = new InMemoryCostRecordQuery(calls.Select(c => Records.At(c.Utc, c.Cost)));
        var report = await CostReportBuilder.BuildAsync(query, new CostReportOptions
        {
            From = from,
            To = to,
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById(timeZone),
            TimeProvider = new FakeTimeProvider(new DateTimeOffset(2026, 12, 15, 0, 0, 0, TimeSpan.Zero)),
        });
        return report.Daily.Where(d => d.Cost != 0).ToDictionary(d => d.Date, d => d.Cost);
    }

    [Fact]
    public async Task LosAngeles_MidnightIsEightAmUtc()
    {
        var daily = await DailyAsync("America/Los_Angeles", new DateOnly(2026, 11, 9), new DateOnly(2026, 11, 10),
            ("2026-11-10T07:59:59Z", 1m),   // 23:59:59 on the 9th, PST
            ("2026-11-10T08:00:00Z", 10m)); // 00:00 on the 10th

        Assert.Equal(new Dictionary<DateOnly, decimal> { [new(2026, 11, 9)] = 1m, [new(2026, 11, 10)] = 10m }, daily);
    }

    [Fact]
    public async Task Kolkata_HalfHourOffset_SplitsAtSixThirtyPmUtc()
    {
        var daily = await DailyAsync("Asia/Kolkata", new DateOnly(2026, 11, 9), new DateOnly(2026, 11, 10),
            ("2026-11-09T18:29:00Z", 1m),   // 23:59 on the 9th, +05:30
            ("2026-11-09T18:30:00Z", 10m)); // 00:00 on the 10th

        Assert.Equal(new Dictionary<DateOnly, decimal> { [new(2026, 11, 9)] = 1m, [new(2026, 11, 10)] = 10m }, daily);
    }

    [Fact]
    public async Task LosAngeles_DstEndDay_HasTwentyFiveHours()
    {
        // 2026-11-01: clocks go back from 02:00 PDT (-7) to 01:00 PST (-8). The day runs 07:00Z to 08:00Z next day.
        var daily = await DailyAsync("America/Los_Angeles", new DateOnly(2026, 10, 31), new DateOnly(2026, 11, 2),
            ("2026-11-01T06:59:00Z", 1m),   // 23:59 PDT on Oct 31
            ("2026-11-01T07:00:00Z", 10m),  // 00:00 PDT on Nov 1
            ("2026-11-01T09:30:00Z", 100m), // 01:30 PST on Nov 1, the repeated hour
            ("2026-11-02T07:59:00Z", 1000m), // 23:59 PST on Nov 1
            ("2026-11-02T08:00:00Z", 10000m)); // 00:00 PST on Nov 2

        Assert.Equal(new Dictionary<DateOnly, decimal> { [new(2026, 10, 31)] = 1m, [new(2026, 11, 1)] = 1110m, [new(2026, 11, 2)] = 10000m }, daily);
    }

    [Fact]
    public async Task Berlin_DstStartDay_HasTwentyThreeHours()
    {
        // 2026-03-29: 02:00 CET (+1) jumps to 03:00 CEST (+2). The day runs 23:00Z on the 28th to 22:00Z on the 29th.
        var daily = await DailyAsync("Europe/Berlin", new DateOnly(2026, 3, 28), new DateOnly(2026, 3, 30),
            ("2026-03-28T22:59:00Z", 1m),
            ("2026-03-28T23:00:00Z", 10m),
            ("2026-03-29T21:59:00Z", 100m),
            ("2026-03-29T22:00:00Z", 1000m));

        Assert.Equal(new Dictionary<DateOnly, decimal> { [new(2026, 3, 28)] = 1m, [new(2026, 3, 29)] = 110m, [new(2026, 3, 30)] = 1000m }, daily);
    }

    [Theory]
    [InlineData("America/Los_Angeles", 60)]   // -8 and -7
    [InlineData("Asia/Kolkata", 30)]          // +5:30
    [InlineData("Asia/Kathmandu", 15)]        // +5:45
    [InlineData("Asia/Tokyo", 180)]           // +9, no DST: gcd(24 h, 9 h)
    [InlineData("UTC", 1440)]
    public void BucketSizeFor_DividesEveryOffsetOfTheZone(string timeZone, int minutes)
    {
        var size = CostReportBuilder.BucketSizeFor(TimeZoneInfo.FindSystemTimeZoneById(timeZone), new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31));

        Assert.Equal(TimeSpan.FromMinutes(minutes), size);
    }

    [Fact]
    public async Task Query_AsksForLocalDaysInUtc()
    {
        var query = new InMemoryCostRecordQuery([]);
        await CostReportBuilder.BuildAsync(query, new CostReportOptions
        {
            From = new DateOnly(2026, 11, 10),
            To = new DateOnly(2026, 11, 10),
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata"),
            TimeProvider = new FakeTimeProvider(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero)),
        });

        var asked = Assert.Single(query.Queries);
        Assert.Equal(new DateTimeOffset(2026, 11, 10, 18, 30, 0, TimeSpan.Zero), asked.To); // midnight after the 10th, +05:30
        Assert.Equal(TimeSpan.FromMinutes(30), asked.BucketSize);
        // One query, summed in the store per grouping set: each dimension alone (breakdowns, anomalies, the chart, the
        // untagged share) and provider x model (unpriced calls), the report's own grouping (feature) being one of them;
        // never the product of all six dimensions, which grows with the data.
        Assert.Equal(
            [[CostDimension.Feature], [CostDimension.Provider], [CostDimension.Model], [CostDimension.Team], [CostDimension.Customer], [CostDimension.Environment], [CostDimension.Provider, CostDimension.Model]],
            asked.GroupingSets);
    }
}
