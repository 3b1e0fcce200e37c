namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>
/// The price rules users most often find wrong in other tools, each on a table whose numbers are easy to check by hand.
/// </summary>
public class PricingRulesTests
{
    private static readonly PriceTable Table = PriceTable.Parse("""
        {
          "schemaVersion": 2, "version": "rules.1",
          "entries": [
            { "provider": "openai", "model": "m",
              "periods": [
                { "effectiveFrom": "2025-01-01", "input": 4, "cachedInput": 1, "output": 16 },
                { "effectiveFrom": "2026-01-01", "input": 2, "cachedInput": 0.5, "cacheWrite": 2.5, "cacheWrite1h": 4, "output": 8,
                  "longContext": [ { "aboveInputTokens": 200000, "input": 4, "cachedInput": 1, "cacheWrite": 5, "cacheWrite1h": 8, "output": 12 } ],
                  "serviceTiers": {
                    "flex": { "input": 1, "cachedInput": 0.25, "output": 4 },
                    "priority": { "input": 3.5, "cachedInput": 0.35, "output": 14 },
                    "batch": { "input": 1, "cachedInput": 0.25, "cacheWrite": 1.25, "output": 4,
                               "longContext": [ { "aboveInputTokens": 200000, "input": 2, "output": 6 } ] } },
                  "webSearch": 10,
                  "regionalUplift": 1.1 } ] }
          ]
        }
        """);

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static CostBreakdown Price(TokenUsage usage, string? tier = null, string? region = null, DateTimeOffset? at = null)
    {
        var resolver = new PriceResolver(Table);
        Assert.True(resolver.TryPrice("openai", "m", null, usage, at ?? Now, tier, region, out var cost, out _));
        return cost!;
    }

    [Fact]
    public void CachedTokens_ArePricedAtTheCacheRate_AndNeverCountedTwice()
    {
        // 100,000 input of which 80,000 read from cache: 20,000 × $2 + 80,000 × $0.50, not 100,000 × $2 + 80,000 × $0.50.
        var cost = Price(UsageParsing.Usage(100_000, 80_000, 0, 0, 0));

        Assert.Equal(0.04m, cost.Input);
        Assert.Equal(0.04m, cost.CachedInput);
        Assert.Equal(0.08m, cost.Total);
    }

    [Fact]
    public void LongContext_CrossingTheThreshold_RepricesTheWholeRequest()
    {
        var under = Price(UsageParsing.Usage(200_000, 0, 0, 1_000, 0));
        var over = Price(UsageParsing.Usage(200_001, 0, 0, 1_000, 0));

        Assert.Equal(0.4m, under.Input);         // 200,000 × $2
        Assert.Equal(0.008m, under.Output);      // 1,000 × $8
        Assert.Equal(0.800004m, over.Input);     // all 200,001 × $4, not 200,000 × $2 + 1 × $4
        Assert.Equal(0.012m, over.Output);       // the output too: 1,000 × $12
    }

    [Fact]
    public void LongContext_ThresholdCountsCacheReadsAndWrites()
    {
        // 10,001 uncached + 150,000 cache reads + 40,000 cache writes = 200,001 input tokens: over the threshold.
        var cost = Price(UsageParsing.Usage(200_001, 150_000, 40_000, 0, 0));

        Assert.Equal(0.040004m, cost.Input);      // 10,001 × $4
        Assert.Equal(0.15m, cost.CachedInput);    // 150,000 × $1
        Assert.Equal(0.2m, cost.CacheWrite);      // 40,000 × $5
    }

    [Theory]
    [InlineData("flex", 0.001, 0.004)]
    [InlineData("FLEX", 0.001, 0.004)]
    [InlineData("priority", 0.0035, 0.014)]
    [InlineData("batch", 0.001, 0.004)]
    [InlineData("default", 0.002, 0.008)]
    [InlineData("scale", 0.002, 0.008)]
    [InlineData(null, 0.002, 0.008)]
    public void ServedServiceTier_DecidesTheRate(string? tier, double input, double output)
    {
        var cost = Price(UsageParsing.Usage(1_000, 0, 0, 1_000, 0), tier);

        Assert.Equal((decimal)input, cost.Input);
        Assert.Equal((decimal)output, cost.Output);
    }

    [Fact]
    public void ServiceTier_HasItsOwnLongContextRates()
    {
        var cost = Price(UsageParsing.Usage(300_000, 0, 0, 1_000, 0), "batch");

        Assert.Equal(0.6m, cost.Input);    // 300,000 × $2 (batch long context), not the standard long-context $4
        Assert.Equal(0.006m, cost.Output); // 1,000 × $6
    }

    [Fact]
    public void OneHourCacheWrites_ArePricedAtTheirOwnRate()
    {
        var usage = UsageParsing.Usage(10_000, 0, 10_000, 0, 0) with { CacheWrite1hInputTokens = 4_000 };

        var cost = Price(usage);

        Assert.Equal(0.031m, cost.CacheWrite); // 6,000 × $2.50 + 4,000 × $4
        Assert.Equal(0m, cost.Input);
    }

    [Fact]
    public void WebSearches_AreChargedPerRequest_InTheirOwnPart()
    {
        var usage = UsageParsing.Usage(1_000, 0, 0, 100, 0) with { WebSearchRequests = 3 };

        var cost = Price(usage);

        Assert.Equal(0.03m, cost.Requests); // 3 × $10 / 1,000
        Assert.Equal(0.002m + 0.0008m + 0.03m, cost.Total);
    }

    [Theory]
    [InlineData("us", 0.0022)]
    [InlineData("us-east-1", 0.0022)]
    [InlineData("europe-west1", 0.0022)]
    [InlineData("global", 0.002)]
    [InlineData(null, 0.002)]
    public void RegionalEndpoint_TakesTheUplift_GlobalDoesNot(string? region, double input)
    {
        var cost = Price(UsageParsing.Usage(1_000, 0, 0, 0, 0), region: region);

        Assert.Equal((decimal)input, cost.Input);
        Assert.Equal((decimal)input, cost.Total);
    }

    [Fact]
    public void PeriodInForceAtTheCallsTime_PricesIt_AndTheRecordNamesIt()
    {
        var resolver = new PriceResolver(Table);

        Assert.True(resolver.TryPrice("openai", "m", null, UsageParsing.Usage(1_000, 0, 0, 0, 0), new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), null, null, out var old, out var oldPrice));
        Assert.True(resolver.TryPrice("openai", "m", null, UsageParsing.Usage(1_000, 0, 0, 0, 0), Now, null, null, out var current, out var currentPrice));

        Assert.Equal(0.004m, old!.Input);
        Assert.Equal(0.002m, current!.Input);
        Assert.Equal(new PriceReference { TableVersion = "rules.1", Entry = "openai/m", EffectiveFrom = new DateOnly(2025, 1, 1) }, oldPrice);
        Assert.Equal(new PriceReference { TableVersion = "rules.1", Entry = "openai/m", EffectiveFrom = new DateOnly(2026, 1, 1) }, currentPrice);
    }

    [Fact]
    public void UnknownModel_IsUnpriced_NeverASilentZero()
    {
        var resolver = new PriceResolver(Table);

        Assert.False(resolver.TryPrice("openai", "not-a-model", "nor-this", UsageParsing.Usage(1_000, 0, 0, 10, 0), Now, null, null, out var cost, out var price));
        Assert.Null(cost);
        Assert.Null(price);
    }

    [Fact]
    public void ModelAlias_PricesADeploymentNameTheTableCannotKnow()
    {
        var resolver = new PriceResolver(Table, new Dictionary<string, string> { ["My-Deployment"] = "m" });

        Assert.True(resolver.TryPrice("openai", null, "my-deployment", UsageParsing.Usage(1_000, 0, 0, 0, 0), Now, null, null, out var cost, out var price));
        Assert.Equal(0.002m, cost!.Total);
        Assert.Equal("openai/m", price!.Entry);
    }

    [Fact]
    public void ModelAlias_WinsOverTheServedModel()
    {
        var table = PriceTable.Parse("""
            {"schemaVersion":2,"version":"v","entries":[
              {"provider":"azure.ai.openai","model":"negotiated","periods":[{"effectiveFrom":"2025-01-01","input":1,"output":1}]},
              {"provider":"azure.ai.openai","model":"gpt-4o","periods":[{"effectiveFrom":"2025-01-01","input":2.5,"output":10}]}]}
            """);
        var resolver = new PriceResolver(table, new Dictionary<string, string> { ["prod-deployment"] = "negotiated" });

        Assert.True(resolver.TryResolve("azure.ai.openai", "gpt-4o", "prod-deployment", out var entry));
        Assert.Equal("azure.ai.openai/negotiated", entry.Id);
    }
}
