using OpenTelemetry;

namespace LlmCost.Sdk.Tests.Attribution;

/// <summary>The precedence rule, source by source: request &gt; AI-client call &gt; scope &gt; baggage &gt; client defaults &gt; options.</summary>
public class AttributionResolverTests
{
    private static readonly LlmCostTags Options = new() { Feature = "o-feature", Team = "o-team", Customer = "o-customer", Environment = "o-env" };

    [Fact]
    public void Resolve_EverySourceSet_EachFieldFromTheMostSpecificSourceThatSetsIt()
    {
        var resolver = new AttributionResolver(Options, readBaggage: true);
        var client = resolver.WithDefaults(new LlmCostTags { Team = "client-team", Customer = "client-customer", Environment = "client-env" });
        Baggage.Current = default;
        Baggage.SetBaggage(LlmCostTelemetry.CustomerKey, "baggage-customer");
        Baggage.SetBaggage(LlmCostTelemetry.EnvironmentKey, "baggage-env");
        try
        {
            using var scope = LlmCostScope.Begin(environment: "scope-env", tags: [new("k", "scope")]);
            var tags = resolver.Resolve(
                client,
                aiCall: new LlmCostTags { Feature = "ai-feature", Team = "ai-team" },
                request: new LlmCostTags { Feature = "request-feature" });

            Assert.Equal("request-feature", tags.Feature);   // request over AI call
            Assert.Equal("ai-team", tags.Team);              // AI call over client defaults
            Assert.Equal("baggage-customer", tags.Customer); // baggage over client defaults
            Assert.Equal("scope-env", tags.Environment);     // scope over baggage
            Assert.Equal("scope", tags.Custom["k"]);
        }
        finally
        {
            Baggage.Current = default;
        }
    }

    [Fact]
    public void Resolve_NothingButDefaults_ReturnsTheCombinedDefaultsWithoutAllocating()
    {
        var resolver = new AttributionResolver(Options, readBaggage: false);
        var client = resolver.WithDefaults(new LlmCostTags { Team = "client-team" });

        Assert.Same(client, resolver.Resolve(client));
        Assert.Equal("client-team", client.Team);
        Assert.Equal("o-feature", client.Feature);
    }

    [Fact]
    public void Resolve_OnlyOneSourceHasTags_ReturnsThatSourcesReadOnlyInstance()
    {
        var resolver = new AttributionResolver(LlmCostTags.Empty, readBaggage: false);
        var request = new LlmCostTags { Feature = "request" }.MakeReadOnly();

        Assert.Same(request, resolver.Resolve(resolver.Defaults, request: request));
        using var scope = LlmCostScope.Begin(feature: "scope");
        Assert.Same(scope.Tags, resolver.Resolve(resolver.Defaults));
    }

    [Fact]
    public void Resolve_MutableRequestTags_ResultIsAReadOnlyCopyThatLaterChangesDoNotReach()
    {
        var resolver = new AttributionResolver(Options, readBaggage: false);
        var request = new LlmCostTags { Feature = "request", Custom = { ["k"] = "v" } };

        var tags = resolver.Resolve(resolver.Defaults, request: request);
        request.Feature = "changed";
        request.Custom["k"] = "changed";

        Assert.True(tags.IsReadOnly);
        Assert.False(request.IsReadOnly);
        Assert.Equal("request", tags.Feature);
        Assert.Equal("o-team", tags.Team);
        Assert.Equal("v", tags.Custom["k"]);
    }

    [Fact]
    public void Merge_CustomTags_SpecificWinsAndANewKeyIsAdded_InputsUnchanged()
    {
        var fallback = new LlmCostTags { Team = "t", Custom = { ["a"] = "fallback", ["b"] = "fallback" } }.MakeReadOnly();
        var specific = new LlmCostTags { Feature = "f", Custom = { ["a"] = "specific", ["c"] = "specific" } }.MakeReadOnly();

        var merged = AttributionResolver.Merge(specific, fallback);

        Assert.Equal(
            new LlmCostTags { Feature = "f", Team = "t", Custom = { ["a"] = "specific", ["b"] = "fallback", ["c"] = "specific" } },
            merged);
        Assert.True(merged.IsReadOnly);
        Assert.Equal(2, fallback.Custom.Count);
        Assert.Equal(2, specific.Custom.Count);
    }

    [Fact]
    public void Resolve_ReadBaggageOff_IgnoresBaggage()
    {
        var resolver = new AttributionResolver(Options, readBaggage: false);
        Baggage.Current = default;
        Baggage.SetBaggage(LlmCostTelemetry.FeatureKey, "upstream");
        try
        {
            Assert.Equal("o-feature", resolver.Resolve(resolver.Defaults).Feature);
        }
        finally
        {
            Baggage.Current = default;
        }
    }

    [Fact]
    public void From_OptionsEnvironment_FillsTheDefaultsEnvironmentUnlessTheTagsSetIt()
    {
        var options = new LlmCostOptions { Environment = "production" };
        options.DefaultTags.Team = "search";
        Assert.Equal("production", AttributionResolver.From(options).Defaults.Environment);
        Assert.Equal("search", AttributionResolver.From(options).Defaults.Team);

        options.DefaultTags.Environment = "staging";
        Assert.Equal("staging", AttributionResolver.From(options).Defaults.Environment);
    }

    [Fact]
    public void ForHttp_DecoratorAddsNothing_IsNull_OtherwiseCallOverScopeOverDecoratorDefaults()
    {
        Assert.Null(AttributionResolver.ForHttp(LlmCostTags.Empty, LlmCostTags.Empty));

        using var scope = LlmCostScope.Begin(feature: "scope-feature", customer: "scope-customer");
        var tags = AttributionResolver.ForHttp(new LlmCostTags { Customer = "call-customer" }, new LlmCostTags { Feature = "d-feature", Team = "d-team" })!;
        Assert.Equal("scope-feature", tags.Feature);
        Assert.Equal("d-team", tags.Team);
        Assert.Equal("call-customer", tags.Customer);
    }
}
