using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk.Tests.Attribution;

/// <summary>The one tag type: mutable until made read-only, equal by value, and read-only wherever the SDK hands it out.</summary>
public class LlmCostTagsTests
{
    [Fact]
    public void New_IsMutableAndEmpty()
    {
        var tags = new LlmCostTags { Feature = "f", Team = "t", Customer = "c", Environment = "e" };
        tags.Custom["k"] = "v";
        tags.Feature = "f2";

        Assert.False(tags.IsReadOnly);
        Assert.Equal("f2", tags.Feature);
        Assert.Equal("t", tags.Team);
        Assert.Equal("c", tags.Customer);
        Assert.Equal("e", tags.Environment);
        Assert.Equal("v", tags.Custom["k"]);
        Assert.Empty(new LlmCostTags().Custom);
    }

    [Fact]
    public void MakeReadOnly_EverySetterAndCustomChange_ThrowsInvalidOperationSayingToCopyFirst()
    {
        var tags = new LlmCostTags { Feature = "f", Custom = { ["k"] = "v" } };
        Assert.Same(tags, tags.MakeReadOnly());
        Assert.True(tags.IsReadOnly);

        var changes = new Action[]
        {
            () => tags.Feature = "x",
            () => tags.Team = "x",
            () => tags.Customer = "x",
            () => tags.Environment = "x",
            () => tags.Custom["k"] = "x",
            () => tags.Custom["new"] = "x",
            () => tags.Custom.Add("new", "x"),
            () => tags.Custom.Add(new KeyValuePair<string, string>("new", "x")),
            () => tags.Custom.Remove("k"),
            () => tags.Custom.Remove(new KeyValuePair<string, string>("k", "v")),
            () => tags.Custom.Clear(),
        };
        foreach (var change in changes)
        {
            var ex = Assert.Throws<InvalidOperationException>(change);
            Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
            Assert.Contains("new LlmCostTags(tags)", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal("f", tags.Feature);
        Assert.Null(tags.Team);
        Assert.Equal("v", Assert.Single(tags.Custom).Value);
        Assert.True(tags.Custom.IsReadOnly);
    }

    [Fact]
    public void MakeReadOnly_CalledAgain_DoesNothing()
    {
        var tags = new LlmCostTags { Team = "t" }.MakeReadOnly();

        Assert.Same(tags, tags.MakeReadOnly());
        Assert.True(tags.IsReadOnly);
        Assert.Equal("t", tags.Team);
    }

    [Fact]
    public void MakeReadOnly_NoCustomTagsYet_CustomIsEmptyAndReadOnly()
    {
        var tags = new LlmCostTags { Team = "t" }.MakeReadOnly();

        Assert.Empty(tags.Custom);
        Assert.True(tags.Custom.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => tags.Custom["k"] = "v");
    }

    [Fact]
    public void Empty_IsReadOnlyWithNoTags()
    {
        var empty = LlmCostTags.Empty;

        Assert.True(empty.IsReadOnly);
        Assert.Null(empty.Feature);
        Assert.Null(empty.Team);
        Assert.Null(empty.Customer);
        Assert.Null(empty.Environment);
        Assert.Empty(empty.Custom);
        Assert.Throws<InvalidOperationException>(() => empty.Feature = "x");
        Assert.Throws<InvalidOperationException>(() => empty.Custom.Add("k", "v"));
        Assert.Equal(new LlmCostTags(), empty);
    }

    [Fact]
    public void CopyConstructor_ReadOnlySource_MutableIndependentCopy()
    {
        var source = new LlmCostTags { Feature = "f", Team = "t", Customer = "c", Environment = "e", Custom = { ["k"] = "v" } }.MakeReadOnly();

        var copy = new LlmCostTags(source) { Team = "other" };
        copy.Custom["k"] = "changed";
        copy.Custom["added"] = "x";

        Assert.False(copy.IsReadOnly);
        Assert.Equal("f", copy.Feature);
        Assert.Equal("other", copy.Team);
        Assert.Equal("c", copy.Customer);
        Assert.Equal("e", copy.Environment);
        Assert.Equal("t", source.Team);
        Assert.Equal("v", source.Custom["k"]);
        Assert.False(source.Custom.ContainsKey("added"));
    }

    [Fact]
    public void CopyConstructor_MutableSource_LaterChangesToEitherDoNotReachTheOther()
    {
        var source = new LlmCostTags { Feature = "f", Custom = { ["k"] = "v" } };
        var copy = new LlmCostTags(source);

        source.Feature = "source";
        source.Custom["k"] = "source";
        copy.Custom["k2"] = "copy";

        Assert.Equal("f", copy.Feature);
        Assert.Equal("v", copy.Custom["k"]);
        Assert.False(source.Custom.ContainsKey("k2"));
    }

    [Fact]
    public void Equals_SameValues_EqualWithTheSameHashWhateverTheOrderOfCustomTagsOrReadOnliness()
    {
        var left = new LlmCostTags { Feature = "f", Team = "t", Customer = "c", Environment = "e", Custom = { ["a"] = "1", ["b"] = "2" } };
        var right = new LlmCostTags { Feature = "f", Team = "t", Customer = "c", Environment = "e", Custom = { ["b"] = "2", ["a"] = "1" } }.MakeReadOnly();

        Assert.True(left.Equals(right));
        Assert.True(right.Equals((object)left));
        Assert.Equal(left.GetHashCode(), right.GetHashCode());
        Assert.Equal(left, right);
    }

    [Theory]
    [InlineData("feature")]
    [InlineData("team")]
    [InlineData("customer")]
    [InlineData("environment")]
    [InlineData("custom-value")]
    [InlineData("custom-key-case")]
    [InlineData("custom-extra")]
    public void Equals_OneValueDiffers_NotEqual(string difference)
    {
        var left = new LlmCostTags { Feature = "f", Team = "t", Customer = "c", Environment = "e", Custom = { ["k"] = "v" } };
        var right = new LlmCostTags(left);
        switch (difference)
        {
            case "feature": right.Feature = "F"; break;
            case "team": right.Team = null; break;
            case "customer": right.Customer = "C"; break;
            case "environment": right.Environment = "E"; break;
            case "custom-value": right.Custom["k"] = "V"; break;
            case "custom-key-case": right.Custom.Remove("k"); right.Custom["K"] = "v"; break;
            default: right.Custom["extra"] = "x"; break;
        }

        Assert.False(left.Equals(right));
        Assert.False(right.Equals(left));
        Assert.NotEqual(left, right);
    }

    [Fact]
    public void Equals_NullOrOtherType_False()
    {
        var tags = new LlmCostTags { Feature = "f" };

        Assert.False(tags.Equals(null));
        Assert.False(tags.Equals((object?)null));
        Assert.False(tags.Equals("f"));
    }

    [Fact]
    public void Custom_OrdinalKeys_CaseSensitive()
    {
        var tags = new LlmCostTags();
        tags.Custom["Region"] = "upper";
        tags.Custom["region"] = "lower";

        Assert.Equal(2, tags.Custom.Count);
        Assert.Equal("upper", tags.Custom["Region"]);
        Assert.Equal("lower", tags.Custom["region"]);
        Assert.False(tags.Custom.ContainsKey("REGION"));
    }

    [Fact]
    public void Custom_IsAlsoAReadOnlyDictionary()
    {
        var tags = new LlmCostTags { Custom = { ["a"] = "1", ["b"] = "2" } }.MakeReadOnly();

        var readOnly = Assert.IsAssignableFrom<IReadOnlyDictionary<string, string>>(tags.Custom);
        Assert.Equal(2, readOnly.Count);
        Assert.Equal("1", readOnly["a"]);
        Assert.True(readOnly.TryGetValue("b", out var b));
        Assert.Equal("2", b);
        Assert.False(readOnly.TryGetValue("c", out _));
        Assert.Equal(new[] { "a", "b" }, readOnly.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "1", "2" }, readOnly.Values.Order(StringComparer.Ordinal));
        Assert.Throws<KeyNotFoundException>(() => readOnly["c"]);
        Assert.Contains(new KeyValuePair<string, string>("a", "1"), tags.Custom);
    }

    [Fact]
    public void Custom_Empty_ReadsWithoutThrowing()
    {
        var tags = new LlmCostTags();

        Assert.False(tags.Custom.TryGetValue("k", out _));
        Assert.False(tags.Custom.ContainsKey("k"));
        Assert.Empty(tags.Custom.Keys);
        Assert.Empty(tags.Custom.Values);
        Assert.Throws<KeyNotFoundException>(() => tags.Custom["k"]);
    }

    [Fact]
    public void ToString_ShowsEveryTag()
    {
        var text = new LlmCostTags { Feature = "f", Team = "t", Customer = "c", Environment = "e", Custom = { ["k"] = "v" } }.ToString();

        Assert.Equal("{ Feature = f, Team = t, Customer = c, Environment = e, Custom = { k = v } }", text);
    }

    [Fact]
    public void CostRecord_MutableTagsGiven_KeepsAReadOnlyCopy()
    {
        var tags = new LlmCostTags { Feature = "f", Custom = { ["k"] = "v" } };

        var record = new CostRecord { Provider = "openai", Operation = "chat", Tags = tags };
        tags.Feature = "changed";
        tags.Custom["k"] = "changed";

        Assert.True(record.Tags.IsReadOnly);
        Assert.Equal("f", record.Tags.Feature);
        Assert.Equal("v", record.Tags.Custom["k"]);
        Assert.Throws<InvalidOperationException>(() => record.Tags.Feature = "x");
    }

    [Fact]
    public void CostRecord_ReadOnlyTagsGiven_KeepsTheSameInstance()
    {
        var tags = new LlmCostTags { Feature = "f" }.MakeReadOnly();

        Assert.Same(tags, new CostRecord { Provider = "openai", Operation = "chat", Tags = tags }.Tags);
        Assert.Same(LlmCostTags.Empty, new CostRecord { Provider = "openai", Operation = "chat" }.Tags);
    }

    [Fact]
    public void Scope_Tags_AreReadOnly()
    {
        using var scope = LlmCostScope.Begin(feature: "f", tags: [new("k", "v")]);

        Assert.True(scope.Tags.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => scope.Tags.Feature = "x");
        Assert.Throws<InvalidOperationException>(() => scope.Tags.Custom["k"] = "x");
    }

    [Fact]
    public void LlmCall_MutableTagsGiven_KeepsAReadOnlyCopy()
    {
        var tags = new LlmCostTags { Customer = "c" };
        using var call = new LlmCall("openai", "chat", tags: tags);
        tags.Customer = "changed";

        Assert.True(call.Tags.IsReadOnly);
        Assert.Equal("c", call.Tags.Customer);
    }

    [Fact]
    public async Task Record_OfATrackedCall_TagsAreReadOnlyAndTheRequestTagsChangedAfterwardsDoNotReachIt()
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat.json"));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();

        var requestTags = new LlmCostTags { Feature = "request-feature", Custom = { ["tier"] = "gold" } };
        using (var request = TrackedHost.OpenAIChatRequest())
        {
            request.SetLlmCostTags(requestTags);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            _ = await response.Content.ReadAsByteArrayAsync();
        }

        requestTags.Feature = "changed";
        requestTags.Custom["tier"] = "changed";
        var record = await host.SingleRecordAsync();

        Assert.False(requestTags.IsReadOnly); // the caller's instance is copied, never frozen under its feet
        Assert.True(record.Tags.IsReadOnly);
        Assert.Equal("request-feature", record.Tags.Feature);
        Assert.Equal("gold", record.Tags.Custom["tier"]);
        Assert.Throws<InvalidOperationException>(() => record.Tags.Feature = "x");
        Assert.Throws<InvalidOperationException>(() => record.Tags.Custom["tier"] = "x");
    }

    [Fact]
    public async Task Configuration_CustomTag_BindsIntoTheDefaultsAndEveryRecord()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCost:DefaultTags:Team"] = "search",
            ["LlmCost:DefaultTags:Custom:x"] = "from-config",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmCostTracking(configuration.GetSection("LlmCost")).AddInMemorySink();
        await using var sp = services.BuildServiceProvider();

        var options = sp.GetRequiredService<IOptions<LlmCostOptions>>().Value;
        Assert.False(options.DefaultTags.IsReadOnly);
        Assert.Equal("from-config", options.DefaultTags.Custom["x"]);

        var tracker = sp.GetRequiredService<ILlmCostTracker>();
        using (var call = tracker.BeginCall("openai", "chat", "gpt-4o"))
        {
            call.Usage = new TokenUsage { InputTokens = 1, OutputTokens = 1, Source = UsageSource.Provider };
        }

        await tracker.FlushAsync();
        var record = Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records);
        Assert.Equal("search", record.Tags.Team);
        Assert.Equal("from-config", record.Tags.Custom["x"]);
        Assert.True(record.Tags.IsReadOnly);
    }
}
