namespace LlmCost.Sdk.Tests.Telemetry;

public class TagValueLimiterTests
{
    [Fact]
    public void Limit_UnderTheCap_KeepsValues()
    {
        var limiter = new TagValueLimiter("llmcost.customer", 3);

        Assert.Equal("a", limiter.Limit("a", out _));
        Assert.Equal("b", limiter.Limit("b", out _));
        Assert.Equal("a", limiter.Limit("a", out _));
    }

    [Fact]
    public void Limit_PastTheCap_FoldsIntoOtherAndReportsOnce()
    {
        var limiter = new TagValueLimiter("llmcost.customer", 1);

        Assert.Equal("a", limiter.Limit("a", out var first));
        Assert.Equal("other", limiter.Limit("b", out var reached));
        Assert.Equal("other", limiter.Limit("c", out var again));
        Assert.Equal("a", limiter.Limit("a", out _));

        Assert.False(first);
        Assert.True(reached);
        Assert.False(again);
    }

    [Fact]
    public void Limit_ConcurrentDistinctValues_NeverAdmitsMoreThanTheCap()
    {
        var limiter = new TagValueLimiter("llmcost.customer", 50);

        var kept = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 10_000, i =>
        {
            var value = limiter.Limit("c" + (i % 500).ToString(System.Globalization.CultureInfo.InvariantCulture), out _);
            if (value != "other")
            {
                kept.Add(value);
            }
        });

        Assert.Equal(50, kept.Distinct().Count());
    }
}
