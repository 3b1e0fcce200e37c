namespace LlmCost.Sdk.Tests.Pricing;

public class CostCalculatorTests
{
    private static PricePeriod Period(string provider, string model) =>
        PriceTable.Default.TryGetEntry(provider, model, out var entry) ? entry.PeriodAt(new DateOnly(2026, 11, 23)) : throw new InvalidOperationException(model);

    [Fact]
    public void Calculate_DesignExample_MatchesTheRecordInDesignMd()
    {
        // DESIGN.md: gpt-4o, 1200 input of which 1024 cached, 350 output at $2.50 / $1.25 / $10.00 per 1M.
        var usage = UsageParsing.Usage(1200, 1024, 0, 350, 0);

        var cost = CostCalculator.Calculate(usage, Period("openai", "gpt-4o"), "USD");

        Assert.Equal(0.00044m, cost.Input);       // 176 × 2.50 / 1M
        Assert.Equal(0.00128m, cost.CachedInput); // 1024 × 1.25 / 1M
        Assert.Equal(0m, cost.CacheWrite);
        Assert.Equal(0.0035m, cost.Output);       // 350 × 10 / 1M
        Assert.Equal(0.00522m, cost.Total);
        var json = (TestRecords.Create() with { Cost = cost }).ToJson();
        Assert.Contains("\"cost\":{\"currency\":\"USD\",\"input\":0.00044,\"cachedInput\":0.00128,\"cacheWrite\":0,\"output\":0.0035,\"total\":0.00522}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Calculate_AnthropicCacheReadAndWrite_PricesEachTokenOnceAtItsOwnRate()
    {
        // anthropic-messages-cache.json on claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 cache write (5 min), $15 output.
        var usage = UsageParsing.Usage(3 + 3117 + 14723, 14723, 3117, 1, 0);

        var cost = CostCalculator.Calculate(usage, Period("anthropic", "claude-sonnet-4-5-20250929"), "USD");

        Assert.Equal(0.000009m, cost.Input);       // 3 × 3 / 1M
        Assert.Equal(0.0044169m, cost.CachedInput); // 14723 × 0.30 / 1M
        Assert.Equal(0.01168875m, cost.CacheWrite); // 3117 × 3.75 / 1M
        Assert.Equal(0.000015m, cost.Output);       // 1 × 15 / 1M
        Assert.Equal(0.01612965m, cost.Total);
    }

    [Fact]
    public void Calculate_ReasoningTokens_AreBilledAsOutputOnce()
    {
        // openai-responses.json on o1: 81 input, 1035 output of which 832 reasoning; $15 / $60 per 1M.
        var cost = CostCalculator.Calculate(UsageParsing.Usage(81, 0, 0, 1035, 832), Period("openai", "o1-2024-12-17"), "USD");

        Assert.Equal(0.001215m, cost.Input);
        Assert.Equal(0.0621m, cost.Output);
        Assert.Equal(0.063315m, cost.Total);
    }

    [Fact]
    public void Calculate_NoCachedRate_FallsBackToInputRate()
    {
        var period = new PricePeriod { Rates = new TieredPriceRates { Base = new PriceRates { Input = 10m, Output = 30m } } };

        var cost = CostCalculator.Calculate(UsageParsing.Usage(1000, 400, 0, 0, 0), period, "USD");

        Assert.Equal(0.006m, cost.Input);
        Assert.Equal(0.004m, cost.CachedInput);
        Assert.Equal(0.01m, cost.Total);
    }

    [Fact]
    public void Calculate_NoUsage_IsZero()
    {
        var cost = CostCalculator.Calculate(TokenUsage.None, Period("openai", "gpt-4o"), "USD");

        Assert.Equal(0m, cost.Total);
    }

    [Fact]
    public void Calculate_OneHourCacheWrites_ArePricedAtTheOneHourRate()
    {
        // claude-sonnet-4-5: 1000 five-minute writes at $3.75 and 2117 one-hour writes at $6.00, per 1M.
        var usage = UsageParsing.Usage(3 + 3117, 0, 3117, 0, 0) with { CacheWrite1hInputTokens = 2117 };

        var cost = CostCalculator.Calculate(usage, Period("anthropic", "claude-sonnet-4-5"), "USD");

        Assert.Equal(0.016452m, cost.CacheWrite); // 0.00375 + 0.012702
        Assert.Equal(0.016461m, cost.Total);      // + 3 × $3 input
    }

    [Fact]
    public void Calculate_Embeddings_PricesInputTokens()
    {
        // text-embedding-3-small: $0.02 per 1M input tokens.
        var cost = CostCalculator.Calculate(UsageParsing.Usage(8, 0, 0, 0, 0), Period("openai", "text-embedding-3-small"), "USD");

        Assert.Equal(0.00000016m, cost.Total);
    }
}
