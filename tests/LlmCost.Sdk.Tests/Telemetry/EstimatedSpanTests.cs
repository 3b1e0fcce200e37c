using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace LlmCost.Sdk.Tests.Telemetry;

/// <summary>
/// Issue 12, item 11: the span of a streamed call whose usage is estimated (after the call ended, off its path) carries
/// what every other span carries — response model, usage, cost, attribution — and still ends when the call ended.
/// </summary>
[Collection(OpenTelemetryCollection.Name)]
public class EstimatedSpanTests
{
    private const string ChatUrl = "https://api.openai.com/v1/chat/completions";
    private const string Request = """{"model":"gpt-3.5-turbo-0125","messages":[{"role":"user","content":"Say hi"}],"stream":true}""";

    [Fact]
    public async Task StreamWithoutUsage_SpanCarriesTheEstimatedRecordAndEndsWithTheCall()
    {
        var spans = new List<Activity>();
        using var tracerProvider = OpenTelemetry.Sdk.CreateTracerProviderBuilder().AddLlmCostInstrumentation().AddInMemoryExporter(spans).Build();
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Environment = "test";
            o.Pipeline.BatchDelay = TimeSpan.Zero;
        }).AddInMemorySink();
        services.AddSingleton<ILlmUsageEstimator>(new FixedEstimator());
        var provider = new FakeProviderHandler(body, "text/event-stream");
        services.AddHttpClient("llm").AddLlmCostTracking(o => o.DefaultTags.Team = "search").ConfigurePrimaryHttpMessageHandler(() => provider);
        await using var sp = services.BuildServiceProvider();
        var estimator = sp.GetRequiredService<UsageEstimator>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        estimator.BeforeEstimate = () =>
        {
            waiting.TrySetResult();
            return release.Task;
        };
        using var client = sp.GetRequiredService<IHttpClientFactory>().CreateClient("llm");

        using (LlmCostScope.Begin(feature: "triage", customer: "acme"))
        using (var response = await client.PostAsync(ChatUrl, new StringContent(Request, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        }

        // The call ended; its usage is being estimated: the span waits for the estimated record, it is not exported bare.
        await waiting.Task;
        Assert.Empty(spans);
        release.SetResult();
        await estimator.WhenIdleAsync(CancellationToken.None);
        await sp.GetRequiredService<ILlmCostTracker>().FlushAsync();

        var record = Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records);
        var span = Assert.Single(spans);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);
        Assert.Equal("chat gpt-3.5-turbo-0125", span.DisplayName);
        Assert.Equal("gpt-3.5-turbo-0125", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal("gpt-3.5-turbo-0125", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(7L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(42L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal((double)record.Cost!.Total, (double)span.GetTagItem("gen_ai.usage.cost.amount")!, 12);
        Assert.Equal("USD", span.GetTagItem("gen_ai.usage.cost.currency"));
        Assert.Equal("triage", span.GetTagItem(LlmCostTelemetry.FeatureKey));
        Assert.Equal("search", span.GetTagItem(LlmCostTelemetry.TeamKey));
        Assert.Equal("acme", span.GetTagItem(LlmCostTelemetry.CustomerKey));
        Assert.Equal("test", span.GetTagItem(LlmCostTelemetry.EnvironmentKey));

        // It ended when the call ended (its duration is the record's), not when the estimate was made.
        Assert.Equal(record.DurationMs, span.Duration.TotalMilliseconds, 3);
    }

    /// <summary>An estimator of another tokenizer: a fixed count.</summary>
    private sealed class FixedEstimator : ILlmUsageEstimator
    {
        public TokenUsage? Estimate(LlmUsageEstimationContext context) =>
            new TokenUsage { InputTokens = 7, OutputTokens = 42, Source = UsageSource.Estimated };
    }
}
