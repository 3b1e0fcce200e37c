namespace LlmCost.Sdk.Tests.Attribution;

public class LlmCostScopeTests
{
    [Fact]
    public void Begin_Nested_OverridesPerFieldAndRestoresOnDispose()
    {
        using (LlmCostScope.Begin(feature: "search", team: "core", tags: [new("region", "eu"), new("tier", "gold")]))
        {
            using (LlmCostScope.Begin(customer: "acme", team: "growth", tags: [new("tier", "free")]))
            {
                var tags = LlmCostScope.Current!.Tags;
                Assert.Equal("search", tags.Feature);
                Assert.Equal("growth", tags.Team);
                Assert.Equal("acme", tags.Customer);
                Assert.Equal("eu", tags.Custom["region"]);
                Assert.Equal("free", tags.Custom["tier"]);
            }

            Assert.Equal("core", LlmCostScope.Current!.Tags.Team);
            Assert.Null(LlmCostScope.Current.Tags.Customer);
        }

        Assert.Null(LlmCostScope.Current);
    }

    [Fact]
    public async Task Begin_FlowsAcrossAwaitAndTaskRun_ButNotToOtherFlows()
    {
        var other = Task.Run(async () =>
        {
            await Task.Delay(50);
            return LlmCostScope.Current;
        });

        using (LlmCostScope.Begin(feature: "triage"))
        {
            await Task.Yield();
            Assert.Equal("triage", LlmCostScope.Current?.Tags.Feature);
            Assert.Equal("triage", await Task.Run(() => LlmCostScope.Current?.Tags.Feature));
        }

        Assert.Null(await other);
    }

    [Fact]
    public void Dispose_Twice_IsHarmless()
    {
        var outer = LlmCostScope.Begin(feature: "a");
        var inner = LlmCostScope.Begin(feature: "b");

        inner.Dispose();
        inner.Dispose();

        Assert.Equal("a", LlmCostScope.Current?.Tags.Feature);
        outer.Dispose();
        Assert.Null(LlmCostScope.Current);
    }
}
