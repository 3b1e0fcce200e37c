using System.Globalization;

namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>
/// Price periods that start at an instant rather than at 00:00 UTC (DeepSeek's peak pricing from 16:00 UTC on 2026-08-16,
/// DeepSeek-V4.1-Flash from 04:00 UTC on 2026-09-10): read, validated, resolved, written to records and re-priced.
/// </summary>
public class PeriodInstantTests
{
    private static readonly TokenUsage Usage = new() { InputTokens = 1_000_000, CachedInputTokens = 600_000, OutputTokens = 100_000, Source = UsageSource.Provider };

    private static DateTimeOffset At(string utc) =>
        DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static (CostBreakdown? Cost, PriceReference? Price) Price(string provider, string model, string utc, PriceTable? table = null)
    {
        Assert.True(new PriceResolver(table ?? PriceTable.Default).TryPrice(provider, model, null, Usage, At(utc), null, null, out var cost, out var price), $"{provider}/{model}");
        return (cost, price);
    }

    private static PriceTable Table(params string[] periods) => PriceTable.Parse($$"""
        {"schemaVersion":3,"version":"instants.1","entries":[{"provider":"openai","model":"m","periods":[{{string.Join(",", periods)}}]}]}
        """);

    [Theory]
    // DeepSeek V4-Pro (api-docs.deepseek.com/quick_start/pricing: "The new prices take effect at 16:00 UTC on August 16, 2026").
    // 400,000 x $0.435 + 600,000 x $0.003625 + 100,000 x $0.87 before; 400,000 x $0.66 + 600,000 x $0.022 + 100,000 x $1.98 after
    // (16:00 UTC is off-peak: the peak windows are 01:00-04:00 and 06:00-10:00 UTC).
    [InlineData("2026-08-16T15:59:59Z", "0.263175", "2026-04-24")]
    [InlineData("2026-08-16T16:00:00Z", "0.4752", "2026-08-16T16:00:00Z")]
    [InlineData("2026-08-16T23:59:59Z", "0.4752", "2026-08-16T16:00:00Z")]
    public void DeepSeekV4Pro_PeakPricingStartsAt1600Utc(string utc, string expected, string effectiveFrom)
    {
        var (cost, price) = Price("deepseek", "deepseek-v4-pro", utc);

        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), cost!.Total);
        Assert.Contains($"\"effectiveFrom\":\"{effectiveFrom}\"", (TestRecords.Create() with { Price = price }).ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    // 2026-09-10 is a Thursday. Until 04:00 UTC the V4-Flash period is in force and 03:59:59 is inside its 01:00-04:00 UTC
    // peak window: 400,000 x $0.44 + 600,000 x $0.014 + 100,000 x $1.32. From 04:00 UTC DeepSeek-V4.1-Flash, off-peak:
    // 400,000 x $0.15 + 600,000 x $0.003 + 100,000 x $0.60.
    [InlineData("deepseek-v4-flash", "2026-09-10T03:59:59Z", "0.3164")]
    [InlineData("deepseek-v4-flash", "2026-09-10T04:00:00Z", "0.1218")]
    [InlineData("deepseek-chat", "2026-09-10T03:59:59Z", "0.3164")]
    [InlineData("deepseek-chat", "2026-09-10T04:00:00Z", "0.1218")]
    public void DeepSeekFlash_V41PricesStartAt0400Utc(string model, string utc, string expected)
    {
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Price("deepseek", model, utc).Cost!.Total);
    }

    [Fact]
    public void DefaultTable_DeepSeekPeriods_StartAtTheirInstants()
    {
        var pro = PriceTable.Default.Find("deepseek/deepseek-v4-pro")!;
        var change = Assert.Single(pro.Periods, p => p.EffectiveFrom == new DateOnly(2026, 8, 16));
        Assert.Equal(new TimeOnly(16, 0), change.EffectiveFromTime);
        Assert.Equal(new DateTimeOffset(2026, 8, 16, 16, 0, 0, TimeSpan.Zero), change.EffectiveFromUtc);
        Assert.Contains("api-docs.deepseek.com", change.Source, StringComparison.Ordinal);
        Assert.DoesNotContain(pro.Periods, p => p.Source?.StartsWith("https://docs.apiyi.com", StringComparison.Ordinal) == true);

        // A day-granular lookup is the period in force at 00:00 UTC that day.
        Assert.Equal(new DateOnly(2026, 4, 24), pro.PeriodAt(new DateOnly(2026, 8, 16)).EffectiveFrom);
        Assert.Same(change, pro.PeriodAt(new DateOnly(2026, 8, 17)));
    }

    [Theory]
    [InlineData("2026-08-16T16:00:00Z", 16, 0, 0)]
    [InlineData("2026-08-16T16:00Z", 16, 0, 0)]
    [InlineData("2026-08-16T04:30:15Z", 4, 30, 15)]
    [InlineData("2026-08-16", 0, 0, 0)]
    public void Read_EffectiveFromDateOrUtcInstant_Accepted(string from, int hour, int minute, int second)
    {
        var table = Table("""{"effectiveFrom":"2025-01-01","input":1,"output":2}""", $$"""{"effectiveFrom":"{{from}}","input":3,"output":4}""");

        var period = table.Find("openai/m")!.Periods[1];
        Assert.Equal(new DateOnly(2026, 8, 16), period.EffectiveFrom);
        Assert.Equal(new TimeOnly(hour, minute, second), period.EffectiveFromTime);
    }

    [Theory]
    [InlineData("2026-08-16T16:00:00+08:00")]
    [InlineData("2026-08-16 16:00")]
    [InlineData("2026-08-16T25:00:00Z")]
    [InlineData("16:00 2026-08-16")]
    public void Read_EffectiveFromNotADateNorAUtcInstant_FailsNamingTheEntry(string from)
    {
        var ex = Assert.Throws<PriceTableException>(() => Table($$"""{"effectiveFrom":"{{from}}","input":3,"output":4}"""));

        Assert.Contains("openai/m", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UTC instant", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TwoPeriodsOnOneDay_OrderedByInstant()
    {
        var table = Table(
            """{"effectiveFrom":"2026-08-16","input":1,"output":1}""",
            """{"effectiveFrom":"2026-08-16T16:00:00Z","input":2,"output":2}""");
        var entry = table.Find("openai/m")!;

        Assert.Equal(1m, entry.PeriodAt(At("2026-08-16T15:59:59Z")).Rates.Base.Input);
        Assert.Equal(2m, entry.PeriodAt(At("2026-08-16T16:00:00Z")).Rates.Base.Input);

        // Same instant twice, or an instant before the period it follows: the periods would overlap or be out of order.
        Assert.Contains("increasing order", Assert.Throws<PriceTableException>(() => Table(
            """{"effectiveFrom":"2026-08-16T16:00:00Z","input":1,"output":1}""",
            """{"effectiveFrom":"2026-08-16T16:00Z","input":2,"output":2}""")).Message, StringComparison.Ordinal);
        Assert.Contains("period from 2026-08-16T16:00:00Z", Assert.Throws<PriceTableException>(() => Table(
            """{"effectiveFrom":"2026-08-16T16:00:00Z","input":1,"output":1}""",
            """{"effectiveFrom":"2026-08-16T04:00:00Z","input":2,"output":2}""")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PeriodAt_AnyOffset_ComparedInUtc()
    {
        var entry = Table(
            """{"effectiveFrom":"2026-08-16","input":1,"output":1}""",
            """{"effectiveFrom":"2026-08-16T16:00:00Z","input":2,"output":2}""").Find("openai/m")!;

        // 00:00 on 2026-08-17 in Beijing (UTC+8) is 16:00 UTC on 2026-08-16.
        Assert.Equal(2m, entry.PeriodAt(new DateTimeOffset(2026, 8, 17, 0, 0, 0, TimeSpan.FromHours(8))).Rates.Base.Input);
        Assert.Equal(1m, entry.PeriodAt(new DateTimeOffset(2026, 8, 16, 23, 59, 59, TimeSpan.FromHours(8))).Rates.Base.Input);
    }

    [Fact]
    public void RecordJson_PriceFromAnInstant_RoundTrips()
    {
        var price = new PriceReference { TableVersion = "2026.11.6", Entry = "deepseek/deepseek-v4-pro", EffectiveFrom = new DateOnly(2026, 8, 16), EffectiveFromTime = new TimeOnly(16, 0) };
        var record = TestRecords.Create() with { Price = price };

        var json = record.ToJson();

        Assert.Contains("\"effectiveFrom\":\"2026-08-16T16:00:00Z\"", json, StringComparison.Ordinal);
        Assert.Equal(price, CostRecord.FromJson(json).Price);

        // A period that starts with its day keeps the date-only form of the record format.
        Assert.Contains("\"effectiveFrom\":\"2024-10-01\"", (record with { Price = price with { EffectiveFrom = new DateOnly(2024, 10, 1), EffectiveFromTime = default } }).ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reprice_StoredRecordInTheHoursAfterTheChange_TakesTheNewPeriod()
    {
        var stored = CostRecord.FromJson((TestRecords.Create() with
        {
            Provider = "deepseek",
            Model = "deepseek-v4-pro",
            Timestamp = At("2026-08-16T18:00:00Z"),
            Usage = Usage,
        }).ToJson());

        var repriced = new CostRecordRepricer(PriceTable.Default).Reprice(stored);

        Assert.Equal(0.4752m, repriced.Cost!.Total);
        Assert.Equal(new TimeOnly(16, 0), repriced.Price!.EffectiveFromTime);
        Assert.Equal(new DateTimeOffset(2026, 8, 16, 16, 0, 0, TimeSpan.Zero), PriceTable.Default.Find(repriced.Price.Entry)!.PeriodAt(stored.Timestamp).EffectiveFromUtc);
    }
}
