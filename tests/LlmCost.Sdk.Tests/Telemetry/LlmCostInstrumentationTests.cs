using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk.Tests.Telemetry;

/// <summary>
/// Metric attributes and cardinality, through <see cref="MetricCollector{T}"/> on the test's own
/// <see cref="IMeterFactory"/>: only this service provider's measurements are seen, so these tests run in parallel.
/// </summary>
public class LlmCostInstrumentationTests
{
    private static MetricCollector<double> CostCollector(TelemetryTestHost host) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), LlmCostTelemetry.MeterName, LlmCostTelemetry.CostMetricName);

    [Fact]
    public async Task CostMetric_Default_CarriesFeatureTeamEnvironmentButNotCustomerOrCustomTags()
    {
        await using var host = TelemetryTestHost.Create(configure: o => o.DefaultTags.Custom["region"] = "eu");
        using var cost = CostCollector(host);

        using (LlmCostScope.Begin(feature: "triage", team: "search", customer: "acme"))
        {
            await host.ChatAsync();
        }

        // Metrics are recorded when the pump prices the record, off the call's path: wait for it.
        await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync();

        var measurement = Assert.Single(cost.GetMeasurementSnapshot());
        Assert.Equal(0.005615, measurement.Value, 9);
        Assert.Equal("triage", measurement.Tags[LlmCostTelemetry.FeatureKey]);
        Assert.Equal("search", measurement.Tags[LlmCostTelemetry.TeamKey]);
        Assert.Equal("test", measurement.Tags[LlmCostTelemetry.EnvironmentKey]);
        Assert.False(measurement.Tags.ContainsKey(LlmCostTelemetry.CustomerKey));
        Assert.False(measurement.Tags.ContainsKey("llmcost.tag.region"));
    }

    [Fact]
    public async Task CostMetric_CustomerAndCustomTagsEnabled_CarriesThem()
    {
        await using var host = TelemetryTestHost.Create(configure: o =>
        {
            o.Telemetry.IncludeCustomerInMetrics = true;
            o.Telemetry.CustomTagsInMetrics.Add("region");
            o.DefaultTags.Custom["region"] = "eu";
            o.DefaultTags.Custom["ticket"] = "T-1";
        });
        using var cost = CostCollector(host);

        using (LlmCostScope.Begin(customer: "acme"))
        {
            await host.ChatAsync();
        }

        // Metrics are recorded when the pump prices the record, off the call's path: wait for it.
        await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync();

        var measurement = Assert.Single(cost.GetMeasurementSnapshot());
        Assert.Equal("acme", measurement.Tags[LlmCostTelemetry.CustomerKey]);
        Assert.Equal("eu", measurement.Tags["llmcost.tag.region"]);
        Assert.False(measurement.Tags.ContainsKey("llmcost.tag.ticket"));
    }

    [Fact]
    public async Task CostMetric_PastTheCap_FoldsValuesIntoOther()
    {
        await using var host = TelemetryTestHost.Create(configure: o =>
        {
            o.Telemetry.IncludeCustomerInMetrics = true;
            o.Telemetry.MaxMetricTagValues = 2;
        });
        using var cost = CostCollector(host);

        foreach (var customer in new[] { "a", "b", "c", "a", "d" })
        {
            using (LlmCostScope.Begin(customer: customer))
            {
                await host.ChatAsync();
            }
        }

        // Metrics are recorded when the pump prices the record, off the call's path: wait for it.
        await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync();

        var customers = cost.GetMeasurementSnapshot().Select(m => (string)m.Tags[LlmCostTelemetry.CustomerKey]!).ToArray();
        Assert.Equal(["a", "b", "other", "a", "other"], customers);

        // The records keep the real values: only the metric attribute folds.
        await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync();
        Assert.Equal(["a", "b", "c", "a", "d"], host.Services.GetRequiredService<InMemoryCostSink>().Records.Select(r => r.Tags.Customer));
    }

    [Fact]
    public async Task TokenUsageAndDuration_ScopedMeter_RecordedWithConventionAttributes()
    {
        await using var host = TelemetryTestHost.Create();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        using var tokens = new MetricCollector<long>(factory, LlmCostTelemetry.MeterName, "gen_ai.client.token.usage");
        using var duration = new MetricCollector<double>(factory, LlmCostTelemetry.MeterName, "gen_ai.client.operation.duration");

        using (LlmCostScope.Begin(feature: "triage"))
        {
            await host.ChatAsync();
        }

        // Metrics are recorded when the pump prices the record, off the call's path: wait for it.
        await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync();

        Assert.Equal([2006L, 300L], tokens.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal(["input", "output"], tokens.GetMeasurementSnapshot().Select(m => (string?)m.Tags["gen_ai.token.type"]));
        Assert.All(tokens.GetMeasurementSnapshot(), m => Assert.False(m.Tags.ContainsKey(LlmCostTelemetry.FeatureKey)));
        var seconds = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.True(seconds.Value > 0);
        Assert.Equal("chat", seconds.Tags["gen_ai.operation.name"]);
        Assert.Equal("openai", seconds.Tags["gen_ai.provider.name"]);
        Assert.Equal("gpt-4o", seconds.Tags["gen_ai.request.model"]);
        Assert.Equal("gpt-4o-2024-08-06", seconds.Tags["gen_ai.response.model"]);
    }

    [Fact]
    public async Task CostMetric_StreamWithoutUsage_NoCostNoTokensButDuration()
    {
        // Estimation off: with it on, the estimated record has tokens and a cost (UsageEstimatorTests).
        await using var host = TelemetryTestHost.Create("openai-chat-stream-nousage.sse", configure: o => o.EstimateMissingUsage = false);
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        using var cost = CostCollector(host);
        using var tokens = new MetricCollector<long>(factory, LlmCostTelemetry.MeterName, "gen_ai.client.token.usage");
        using var duration = new MetricCollector<double>(factory, LlmCostTelemetry.MeterName, "gen_ai.client.operation.duration");

        await host.ChatAsync();

        // Metrics are recorded when the pump prices the record, off the call's path: wait for it.
        await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync();

        Assert.Empty(cost.GetMeasurementSnapshot());
        Assert.Empty(tokens.GetMeasurementSnapshot());
        Assert.Single(duration.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Instruments_NoListener_NotEnabledAndRecordsStillWritten()
    {
        await using var host = TelemetryTestHost.Create();

        await host.ChatAsync();

        var record = await host.SingleRecordAsync();
        Assert.Equal(0.005615m, record.Cost!.Total);
        Assert.Equal(0, host.Services.GetRequiredService<ILlmCostTracker>().Statistics.InternalErrors);
    }

    [Fact]
    public async Task Meter_ComesFromTheServiceProvidersMeterFactory()
    {
        await using var host = TelemetryTestHost.Create();

        var instrumentation = host.Services.GetRequiredService<LlmCostInstrumentation>();

        Assert.Equal(LlmCostTelemetry.MeterName, instrumentation.Meter.Name);
        Assert.Same(host.Services.GetRequiredService<IMeterFactory>(), instrumentation.Meter.Scope);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public void Options_MaxMetricTagValuesOutOfRange_FailsValidation(int max)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Telemetry.MaxMetricTagValues = max);
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<LlmCostOptions>>().Value);
        Assert.Contains("LlmCostOptions.Telemetry.MaxMetricTagValues", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BlankCustomTagName_FailsValidation()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Telemetry.CustomTagsInMetrics.Add(" "));
        using var sp = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<LlmCostOptions>>().Value);
        Assert.Contains("CustomTagsInMetrics[0]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BoundFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCost:Telemetry:IncludeCustomerInMetrics"] = "true",
            ["LlmCost:Telemetry:CustomTagsInMetrics:0"] = "region",
            ["LlmCost:Telemetry:MaxMetricTagValues"] = "250",
            ["LlmCost:Telemetry:ReadBaggage"] = "false",
            ["LlmCost:Telemetry:WriteBaggage"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmCostTracking(configuration.GetSection("LlmCost"));
        using var sp = services.BuildServiceProvider();

        var telemetry = sp.GetRequiredService<IOptions<LlmCostOptions>>().Value.Telemetry;

        Assert.True(telemetry.IncludeCustomerInMetrics);
        Assert.Equal(["region"], telemetry.CustomTagsInMetrics);
        Assert.Equal(250, telemetry.MaxMetricTagValues);
        Assert.False(telemetry.ReadBaggage);
        Assert.True(telemetry.WriteBaggage);
    }
}
