namespace LlmCost.Sdk.Tests.Pricing;

public class PriceTableSchemaTests
{
    private static string Table(string period) =>
        $$"""{"schemaVersion":2,"version":"x","entries":[{"provider":"p","model":"m","periods":[{{period}}]}]}""";

    [Fact]
    public void Parse_Schema2Period_ReadsEveryRule()
    {
        var table = PriceTable.Parse(Table("""
            {"effectiveFrom":"2025-01-01","input":3,"cachedInput":0.3,"cacheWrite":3.75,"cacheWrite1h":6,"output":15,
             "longContext":[{"aboveInputTokens":200000,"input":6,"cachedInput":0.6,"cacheWrite":7.5,"cacheWrite1h":12,"output":22.5}],
             "serviceTiers":{"batch":{"input":1.5,"cachedInput":0.15,"output":7.5}},
             "webSearch":10,"regionalUplift":1.1}
            """));

        var period = table.Find("p/m")!.Periods[0];
        Assert.Equal(3m, period.Rates.Base.Input);
        Assert.Equal(6m, period.Rates.Base.CacheWrite1h);
        var longContext = Assert.Single(period.Rates.LongContext);
        Assert.Equal(200_000, longContext.AboveInputTokens);
        Assert.Equal(22.5m, longContext.Rates.Output);
        Assert.Equal(1.5m, period.ServiceTiers["BATCH"].Base.Input);
        Assert.Equal(10m, period.WebSearch);
        Assert.Equal(1.1m, period.RegionalUplift);
    }

    [Fact]
    public void Parse_Schema1Table_IsStillRead()
    {
        var table = PriceTable.Parse("""{"schemaVersion":1,"version":"old","entries":[{"provider":"p","model":"m","periods":[{"effectiveFrom":"2025-01-01","input":1,"output":2}]}]}""");

        Assert.Equal(1m, table.Find("p/m")!.Periods[0].Rates.Base.Input);
        Assert.Empty(table.Find("p/m")!.Periods[0].ServiceTiers);
    }

    [Theory]
    [InlineData("""{"effectiveFrom":"2025-01-01","input":1,"output":2,"serviceTiers":{"batch":{"input":-1,"output":1}}}""", "'p/m', period from 2025-01-01, service tier 'batch': 'input' is negative")]
    [InlineData("""{"effectiveFrom":"2025-01-01","input":1,"output":2,"serviceTiers":{"flex":{"output":1}}}""", "service tier 'flex': 'input' is required")]
    [InlineData("""{"effectiveFrom":"2025-01-01","input":1,"output":2,"serviceTiers":[]}""", "'serviceTiers' must be an object")]
    [InlineData("""{"effectiveFrom":"2025-01-01","input":1,"output":2,"longContext":[{"aboveInputTokens":200000,"input":2,"output":4},{"aboveInputTokens":100000,"input":3,"output":5}]}""", "'p/m', period from 2025-01-01, long-context tier above 100000 tokens: 'aboveInputTokens' must be positive and the tiers in increasing order")]
    [InlineData("""{"effectiveFrom":"2025-01-01","input":1,"output":2,"longContext":[{"input":2,"output":4}]}""", "integer 'aboveInputTokens'")]
    [InlineData("""{"effectiveFrom":"2025-01-01","input":1,"output":2,"longContext":[{"aboveInputTokens":1000,"input":"x","output":4}]}""", "long-context tier above 1000 tokens: 'input' must be a number")]
    [InlineData("""{"effectiveFrom":"2025-01-01","input":1,"output":2,"regionalUplift":0}""", "'p/m', period from 2025-01-01: 'regionalUplift' must be a positive multiplier")]
    [InlineData("""{"effectiveFrom":"2025-01-01","input":1,"output":2,"webSearch":-10}""", "'webSearch' is negative")]
    public void Parse_BadRule_ThrowsNamingTheEntryAndTheRule(string period, string expected)
    {
        var error = Assert.Throws<PriceTableException>(() => PriceTable.Parse(Table(period)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
