using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LlmCost.Sdk.Tests.Telemetry;

/// <summary>End to end through OpenTelemetry's SDK and its in-memory exporter.</summary>
[Collection(OpenTelemetryCollection.Name)]
public class LlmCostOpenTelemetryTests
{
    private static Dictionary<string, object?> Tags(ReadOnlyTagCollection tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }

    private static List<(Dictionary<string, object?> Tags, MetricPoint Point)> Points(Metric metric)
    {
        var points = new List<(Dictionary<string, object?>, MetricPoint)>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add((Tags(point.Tags), point));
        }

        return points;
    }

    [Fact]
    public async Task AddLlmCostInstrumentation_OpenAIChat_ExportsTokenUsageDurationAndCost()
    {
        var exported = new List<Metric>();
        using var meterProvider = OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddLlmCostInstrumentation().AddInMemoryExporter(exported).Build();
        await using var host = TelemetryTestHost.Create(configure: o => o.DefaultTags.Feature = "triage");

        await host.ChatAsync();
        await host.SingleRecordAsync();
        meterProvider.ForceFlush();

        var tokens = Assert.Single(exported, m => m.Name == "gen_ai.client.token.usage");
        Assert.Equal("{token}", tokens.Unit);
        Assert.Equal(LlmCostTelemetry.MeterName, tokens.MeterName);
        Assert.Equal(MetricType.Histogram, tokens.MetricType);
        var tokenPoints = Points(tokens);
        Assert.Equal(2, tokenPoints.Count);
        var input = Assert.Single(tokenPoints, p => (string?)p.Tags["gen_ai.token.type"] == "input");
        var output = Assert.Single(tokenPoints, p => (string?)p.Tags["gen_ai.token.type"] == "output");
        Assert.Equal(2006, input.Point.GetHistogramSum());
        Assert.Equal(1, input.Point.GetHistogramCount());
        Assert.Equal(300, output.Point.GetHistogramSum());
        Assert.Equal("chat", input.Tags["gen_ai.operation.name"]);
        Assert.Equal("openai", input.Tags["gen_ai.provider.name"]);
        Assert.Equal("gpt-4o", input.Tags["gen_ai.request.model"]);
        Assert.Equal("gpt-4o-2024-08-06", input.Tags["gen_ai.response.model"]);
        Assert.False(input.Tags.ContainsKey("error.type"));
        Assert.False(input.Tags.ContainsKey(LlmCostTelemetry.FeatureKey));
        var bounds = new List<double>();
        foreach (var bucket in input.Point.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        Assert.Equal([1, 4, 16, 64, 256, 1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864, double.PositiveInfinity], bounds);

        var duration = Assert.Single(exported, m => m.Name == "gen_ai.client.operation.duration");
        Assert.Equal("s", duration.Unit);
        var durationPoint = Assert.Single(Points(duration));
        Assert.Equal(1, durationPoint.Point.GetHistogramCount());
        Assert.True(durationPoint.Point.GetHistogramSum() > 0);
        Assert.Equal("gpt-4o-2024-08-06", durationPoint.Tags["gen_ai.response.model"]);
        var durationBounds = new List<double>();
        foreach (var bucket in durationPoint.Point.GetHistogramBuckets())
        {
            durationBounds.Add(bucket.ExplicitBound);
        }

        Assert.Equal([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, double.PositiveInfinity], durationBounds);

        var cost = Assert.Single(exported, m => m.Name == "llmcost.cost");
        Assert.Equal("USD", cost.Unit);
        Assert.Equal(MetricType.DoubleSum, cost.MetricType);
        var costPoint = Assert.Single(Points(cost));
        // gpt-4o: 86 uncached × $2.50 + 1920 cached × $1.25 + 300 output × $10.00, per 1M tokens.
        Assert.Equal(0.005615, costPoint.Point.GetSumDouble(), 9);
        Assert.Equal("triage", costPoint.Tags[LlmCostTelemetry.FeatureKey]);
        Assert.Equal("test", costPoint.Tags[LlmCostTelemetry.EnvironmentKey]);
        Assert.Equal("openai", costPoint.Tags["gen_ai.provider.name"]);
        Assert.Equal("gpt-4o-2024-08-06", costPoint.Tags["gen_ai.response.model"]);
    }

    [Fact]
    public async Task AddLlmCostInstrumentation_ServerError_TagsDurationWithErrorType()
    {
        var exported = new List<Metric>();
        using var meterProvider = OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddLlmCostInstrumentation().AddInMemoryExporter(exported).Build();
        await using var host = TelemetryTestHost.Create("openai-error.json", HttpStatusCode.InternalServerError);

        await host.ChatAsync();
        await host.SingleRecordAsync();
        meterProvider.ForceFlush();

        var duration = Assert.Single(exported, m => m.Name == "gen_ai.client.operation.duration");
        var point = Assert.Single(Points(duration));
        Assert.Equal("500", point.Tags["error.type"]);
        Assert.Equal("gpt-4o", point.Tags["gen_ai.request.model"]);
        Assert.DoesNotContain(exported, m => m.Name == "gen_ai.client.token.usage");

        // As in the record: a refused call is priced at zero (nothing billed), with its error.
        var cost = Assert.Single(Points(Assert.Single(exported, m => m.Name == "llmcost.cost")));
        Assert.Equal(0, cost.Point.GetSumDouble());
        Assert.Equal("500", cost.Tags["error.type"]);
    }

    [Fact]
    public async Task AddLlmCostInstrumentation_Tracing_SpanCarriesUsageCostAndCoversBodyRead()
    {
        var spans = new List<Activity>();
        using var tracerProvider = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddLlmCostInstrumentation().AddInMemoryExporter(spans).Build();
        await using var host = TelemetryTestHost.Create(configure: o => o.DefaultTags.Team = "search");
        using var parentSource = new ActivitySource("LlmCost.Sdk.Tests.Parent");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == parentSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        using (var parent = parentSource.StartActivity("request"))
        {
            using var scope = LlmCostScope.Begin(feature: "triage", customer: "acme");
            using var request = new HttpRequestMessage(HttpMethod.Post, TelemetryTestHost.ChatUrl) { Content = new StringContent(TelemetryTestHost.ChatRequest) };
            using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

            // Headers are in, the body is not read: the span is still open, and it is not the app's current span.
            Assert.Empty(spans);
            Assert.Same(parent, Activity.Current);
            var held = Stopwatch.StartNew();
            await Task.Delay(150);
            var heldFor = held.Elapsed; // the span, open from before the headers to the end of the body, encloses this
            await response.Content.ReadAsStringAsync();

            // The span is tagged and ended on the pump (its end time set to the call's end), off the app's path.
            await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync();
            var span = Assert.Single(spans);
            Assert.Same(parent, Activity.Current);
            Assert.Equal(parent!.SpanId, span.ParentSpanId);
            Assert.Equal(LlmCostTelemetry.ActivitySourceName, span.Source.Name);
            Assert.Equal(ActivityKind.Client, span.Kind);
            Assert.Equal("chat gpt-4o", span.DisplayName);
            Assert.True(span.Duration >= heldFor, $"The span lasted {span.Duration}, the body was held back {heldFor}.");
            Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
            Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
            Assert.Equal("gpt-4o", span.GetTagItem("gen_ai.request.model"));
            Assert.Equal("gpt-4o-2024-08-06", span.GetTagItem("gen_ai.response.model"));
            Assert.Equal(2006L, span.GetTagItem("gen_ai.usage.input_tokens"));
            Assert.Equal(300L, span.GetTagItem("gen_ai.usage.output_tokens"));
            Assert.Equal(1920L, span.GetTagItem("gen_ai.usage.cache_read.input_tokens"));
            Assert.Equal(0L, span.GetTagItem("gen_ai.usage.cache_creation.input_tokens"));
            Assert.Equal(0L, span.GetTagItem("gen_ai.usage.reasoning.output_tokens"));
            Assert.Equal(0.005615, (double)span.GetTagItem("gen_ai.usage.cost.amount")!, 9);
            Assert.Equal("USD", span.GetTagItem("gen_ai.usage.cost.currency"));
            Assert.Equal("local", span.GetTagItem("gen_ai.usage.cost.source"));
            Assert.Equal("triage", span.GetTagItem(LlmCostTelemetry.FeatureKey));
            Assert.Equal("search", span.GetTagItem(LlmCostTelemetry.TeamKey));
            Assert.Equal("acme", span.GetTagItem(LlmCostTelemetry.CustomerKey));
            Assert.Equal("test", span.GetTagItem(LlmCostTelemetry.EnvironmentKey));
            Assert.Null(span.GetTagItem("error.type"));
            Assert.Equal(ActivityStatusCode.Unset, span.Status);
        }

        // No prompt, completion or key in any attribute.
        var values = string.Join("|", spans.Single().TagObjects.Select(t => t.Value?.ToString()));
        Assert.DoesNotContain("Say hello", values, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-", values, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AddLlmCostInstrumentation_Tracing_EachAttributeOnce_WhateverAListenerAddedAtStart(bool listenerTagsAtStart)
    {
        // The SDK's span has no attribute until the pump tags it, so the attributes are appended; a span some listener
        // tagged at its start (an enricher) is tagged key by key instead, so no key is there twice.
        var spans = new List<Activity>();
        using var tracerProvider = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddLlmCostInstrumentation().AddInMemoryExporter(spans).Build();
        using var enricher = new ActivityListener
        {
            ShouldListenTo = s => s.Name == LlmCostTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a =>
            {
                if (listenerTagsAtStart)
                {
                    a.SetTag("gen_ai.operation.name", "set-at-start");
                    a.SetTag(LlmCostTelemetry.FeatureKey, "set-at-start");
                    a.SetTag("app.enriched", true);
                }
            },
        };
        ActivitySource.AddActivityListener(enricher);
        await using var host = TelemetryTestHost.Create(configure: o =>
        {
            o.DefaultTags.Team = "search";
            o.DefaultTags.Custom["region"] = "eu";
            o.DefaultTags.Custom["tier"] = "gold";
        });

        using (LlmCostScope.Begin(feature: "triage"))
        {
            await host.ChatAsync();
        }

        await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync();
        var span = Assert.Single(spans);
        var keys = span.TagObjects.Select(t => t.Key).ToList();
        Assert.Equal(keys.Distinct().Count(), keys.Count);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("triage", span.GetTagItem(LlmCostTelemetry.FeatureKey));
        Assert.Equal("search", span.GetTagItem(LlmCostTelemetry.TeamKey));
        Assert.Equal("eu", span.GetTagItem(LlmCostTelemetry.CustomTagPrefix + "region"));
        Assert.Equal("gold", span.GetTagItem(LlmCostTelemetry.CustomTagPrefix + "tier"));
        Assert.Equal(2006L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(0L, span.GetTagItem("gen_ai.usage.reasoning.output_tokens"));
        Assert.Equal(listenerTagsAtStart ? true : null, span.GetTagItem("app.enriched"));
    }

    [Fact]
    public async Task AddLlmCostInstrumentation_TracingServerError_SpanHasErrorTypeAndStatus()
    {
        var spans = new List<Activity>();
        using var tracerProvider = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddLlmCostInstrumentation().AddInMemoryExporter(spans).Build();
        await using var host = TelemetryTestHost.Create("openai-error.json", HttpStatusCode.InternalServerError);

        await host.ChatAsync();
        await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync(); // the span ends on the pump

        var span = Assert.Single(spans);
        Assert.Equal("500", span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Null(span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(0.0, span.GetTagItem("gen_ai.usage.cost.amount"));
    }

    [Fact]
    public async Task AddLlmCostInstrumentation_TransportFailure_SpanEndsWithExceptionType()
    {
        var spans = new List<Activity>();
        using var tracerProvider = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddLlmCostInstrumentation().AddInMemoryExporter(spans).Build();
        await using var host = TelemetryTestHost.Create();
        host.Provider.Respond = _ => throw new HttpRequestException("connection refused");

        await Assert.ThrowsAsync<HttpRequestException>(() => host.ChatAsync());
        Assert.Null(Activity.Current);
        await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync(); // the span ends on the pump

        var span = Assert.Single(spans);
        Assert.Equal(typeof(HttpRequestException).FullName, span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Null(Activity.Current);
    }

    [Fact]
    public async Task Record_AiClientSpanIsGenAISpan_AddsOnlyCostCacheWriteAndAttribution()
    {
        using var source = new ActivitySource("LlmCost.Sdk.Tests.AiClient");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = TelemetryTestHost.Create();
        var tracker = host.Services.GetRequiredService<ILlmCostTracker>();

        using var span = source.StartActivity("chat gpt-4o", ActivityKind.Client)!;
        span.SetTag("gen_ai.operation.name", "chat");
        RecordAiCall(tracker);

        Assert.Equal(0.005615, (double)span.GetTagItem("gen_ai.usage.cost.amount")!, 9);
        Assert.Equal("USD", span.GetTagItem("gen_ai.usage.cost.currency"));
        Assert.Equal(0L, span.GetTagItem("gen_ai.usage.cache_creation.input_tokens"));
        Assert.Equal("triage", span.GetTagItem(LlmCostTelemetry.FeatureKey));
        // The AI client's own instrumentation reports these; the SDK does not duplicate them.
        Assert.Null(span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Null(span.GetTagItem("gen_ai.provider.name"));
    }

    [Fact]
    public async Task Record_CurrentSpanIsNotGenAI_LeavesItAlone_TagActivityAddsEveryAttribute()
    {
        using var source = new ActivitySource("LlmCost.Sdk.Tests.AppSpan");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = TelemetryTestHost.Create();
        var tracker = host.Services.GetRequiredService<ILlmCostTracker>();

        using var span = source.StartActivity("summarize")!;
        RecordAiCall(tracker);
        await tracker.FlushAsync();
        var record = Assert.Single(host.Services.GetRequiredService<InMemoryCostSink>().Records);

        // The app's own span (shared by all the calls it makes) is not tagged implicitly ...
        Assert.Empty(span.TagObjects);

        // ... but the record can be put on a span explicitly.
        LlmCostInstrumentation.TagSpan(span, record);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(2006L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(0.005615, (double)span.GetTagItem("gen_ai.usage.cost.amount")!, 9);
        Assert.Equal("summarize", span.DisplayName);
    }

    /// <summary>An AI-client call recorded through the public recording API.</summary>
    private static void RecordAiCall(ILlmCostTracker tracker)
    {
        using var call = tracker.BeginCall("openai", "chat", "gpt-4o", new LlmCostTags { Feature = "triage" });
        call.ResponseModel = "gpt-4o-2024-08-06";
        call.StatusCode = 200;
        call.Usage = UsageParsing.Usage(2006, 1920, 0, 300, 0);
    }
}
