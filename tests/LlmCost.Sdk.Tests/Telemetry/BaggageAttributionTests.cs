using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace LlmCost.Sdk.Tests.Telemetry;

/// <summary>Baggage read and write. Not parallel: writing is a process-wide switch (the scope is ambient).</summary>
[Collection(OpenTelemetryCollection.Name)]
public class BaggageAttributionTests
{
    [Fact]
    public async Task Record_UpstreamBaggage_AttributesTheCall()
    {
        await using var host = TelemetryTestHost.Create(configure: o => o.DefaultTags.Team = "default-team");
        Baggage.Current = default;

        Baggage.SetBaggage(LlmCostTelemetry.FeatureKey, "upstream-feature");
        Baggage.SetBaggage(LlmCostTelemetry.TeamKey, "upstream-team");
        Baggage.SetBaggage(LlmCostTelemetry.CustomerKey, "acme");
        await host.ChatAsync();

        var record = await host.SingleRecordAsync();
        Assert.Equal("upstream-feature", record.Tags.Feature);
        Assert.Equal("upstream-team", record.Tags.Team);
        Assert.Equal("acme", record.Tags.Customer);
        Assert.Equal("test", record.Tags.Environment);
        Baggage.Current = default;
    }

    [Fact]
    public async Task Record_ScopeAndBaggage_ScopeWinsBaggageBeatsDefaults()
    {
        await using var host = TelemetryTestHost.Create(configure: o => o.DefaultTags.Team = "default-team", client: c => c.DefaultTags.Feature = "client-feature");
        Baggage.Current = default;
        Baggage.SetBaggage(LlmCostTelemetry.FeatureKey, "upstream-feature");
        Baggage.SetBaggage(LlmCostTelemetry.TeamKey, "upstream-team");

        using (LlmCostScope.Begin(team: "scope-team"))
        {
            await host.ChatAsync();
        }

        var record = await host.SingleRecordAsync();
        Assert.Equal("scope-team", record.Tags.Team);
        Assert.Equal("upstream-feature", record.Tags.Feature);
        Baggage.Current = default;
    }

    [Fact]
    public async Task Record_ReadBaggageOff_IgnoresBaggage()
    {
        await using var host = TelemetryTestHost.Create(configure: o => o.Telemetry.ReadBaggage = false);
        Baggage.Current = default;
        Baggage.SetBaggage(LlmCostTelemetry.FeatureKey, "upstream-feature");

        await host.ChatAsync();

        Assert.Null((await host.SingleRecordAsync()).Tags.Feature);
        Baggage.Current = default;
    }

    [Fact]
    public async Task ResolveTags_AiClientPath_ReadsBaggageBelowScope()
    {
        await using var host = TelemetryTestHost.Create();
        var tracker = host.Services.GetRequiredService<ILlmCostTracker>();
        Baggage.Current = default;
        Baggage.SetBaggage(LlmCostTelemetry.FeatureKey, "upstream-feature");
        Baggage.SetBaggage(LlmCostTelemetry.CustomerKey, "acme");

        using (LlmCostScope.Begin(customer: "scope-customer"))
        {
            var tags = tracker.BeginCall("openai", "chat").Tags;
            Assert.Equal("upstream-feature", tags.Feature);
            Assert.Equal("scope-customer", tags.Customer);
        }

        Baggage.Current = default;
    }

    [Fact]
    public async Task Scope_WriteBaggageOff_DoesNotTouchBaggage()
    {
        await using var host = TelemetryTestHost.Create();
        _ = host.Services.GetRequiredService<HttpCallTracker>();
        Baggage.Current = default;

        using (LlmCostScope.Begin(feature: "triage"))
        {
            Assert.Null(Baggage.GetBaggage(LlmCostTelemetry.FeatureKey));
        }
    }

    [Fact]
    public async Task Scope_WriteBaggageOn_WritesStandardTagsAndRestoresOnDispose()
    {
        Baggage.Current = default;
        Baggage.SetBaggage("other.key", "kept");
        await using (var host = TelemetryTestHost.Create(configure: o => o.Telemetry.WriteBaggage = true))
        {
            _ = host.Services.GetRequiredService<HttpCallTracker>();

            using (LlmCostScope.Begin(feature: "triage", customer: "acme"))
            {
                Assert.Equal("triage", Baggage.GetBaggage(LlmCostTelemetry.FeatureKey));
                Assert.Equal("acme", Baggage.GetBaggage(LlmCostTelemetry.CustomerKey));
                Assert.Null(Baggage.GetBaggage(LlmCostTelemetry.TeamKey));
                Assert.Equal("kept", Baggage.GetBaggage("other.key"));

                using (LlmCostScope.Begin(team: "search"))
                {
                    Assert.Equal("triage", Baggage.GetBaggage(LlmCostTelemetry.FeatureKey));
                    Assert.Equal("search", Baggage.GetBaggage(LlmCostTelemetry.TeamKey));
                }

                Assert.Null(Baggage.GetBaggage(LlmCostTelemetry.TeamKey));
            }

            Assert.Null(Baggage.GetBaggage(LlmCostTelemetry.FeatureKey));
            Assert.Equal("kept", Baggage.GetBaggage("other.key"));
        }

        // Disposing the service provider that turned writing on turns it off.
        using (LlmCostScope.Begin(feature: "after"))
        {
            Assert.Null(Baggage.GetBaggage(LlmCostTelemetry.FeatureKey));
        }

        Baggage.Current = default;
    }
}
