using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// Issue 12, item 11: a response model the price table does not know is priced as the requested model — and the record,
/// the statistics, the <c>llmcost.pipeline.*</c> metrics and one log line per model say so.
/// </summary>
public class RequestModelFallbackTests
{
    private const string ChatUrl = "https://api.openai.com/v1/chat/completions";

    private static byte[] Chat(string model) => Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-1","object":"chat.completion","model":""" + "\"" + model + "\"" +
        ""","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920}}}""");

    [Fact]
    public async Task UnknownResponseModel_PricedAsRequestedModelFlaggedCountedAndLoggedOncePerModel()
    {
        var models = new Queue<string>(["gpt-4o-mystery-snapshot", "gpt-4o-mystery-snapshot", "gpt-4o-other-mystery", "gpt-4o-2024-08-06"]);
        var provider = new FakeProviderHandler([]) { Respond = _ => FakeProviderHandler.Response(Chat(models.Dequeue())) };
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.Zero).AddInMemorySink();
        services.AddHttpClient("llm").AddLlmCostTracking().ConfigurePrimaryHttpMessageHandler(() => provider);
        await using var sp = services.BuildServiceProvider();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();
        using var metric = new MetricCollector<long>(sp.GetRequiredService<IMeterFactory>(), LlmCostTelemetry.MeterName, "llmcost.pipeline.calls.priced_as_request_model");
        using var client = sp.GetRequiredService<IHttpClientFactory>().CreateClient("llm");

        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync(ChatUrl, new StringContent("""{"model":"gpt-4o","messages":[]}""", Encoding.UTF8, "application/json"));
            await response.Content.ReadAsByteArrayAsync();
        }

        await tracker.FlushAsync();
        var records = sp.GetRequiredService<InMemoryCostSink>().Records;
        Assert.Equal(4, records.Count);

        // Priced at gpt-4o's rates (what the request asked for), and the record says the served model was not found.
        Assert.All(records, r => Assert.Equal(0.005615m, r.Cost!.Total));
        Assert.All(records, r => Assert.Equal("openai/gpt-4o", r.Price!.Entry));
        Assert.Equal([true, true, true, false], records.Select(r => r.Price!.RequestModelFallback));
        Assert.Contains("\"requestModelFallback\":true", records[0].ToJson(), StringComparison.Ordinal);
        Assert.DoesNotContain("requestModelFallback", records[3].ToJson(), StringComparison.Ordinal);

        Assert.Equal(3, tracker.Statistics.PricedAsRequestModel);
        Assert.Equal(0, tracker.Statistics.Unpriced);
        metric.RecordObservableInstruments();
        Assert.Equal(3, metric.LastMeasurement!.Value);

        // One warning per model, not per call: no log flood.
        var warnings = sp.GetFakeLogCollector().GetSnapshot().Where(l => l.Id.Id == 262).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, l => l.Message.Contains("gpt-4o-mystery-snapshot", StringComparison.Ordinal));
        Assert.Contains(warnings, l => l.Message.Contains("gpt-4o-other-mystery", StringComparison.Ordinal));
        Assert.All(warnings, l => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, l.Level));
    }
}
