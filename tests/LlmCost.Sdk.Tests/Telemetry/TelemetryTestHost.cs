using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Telemetry;

/// <summary>Builds, inside each test, a service provider with one tracked client over a replaying provider.</summary>
internal sealed class TelemetryTestHost : IAsyncDisposable
{
    public const string ChatUrl = "https://api.openai.com/v1/chat/completions";
    public const string ChatRequest = """{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello"}],"stream":false}""";

    private TelemetryTestHost(ServiceProvider services, FakeProviderHandler provider)
    {
        Services = services;
        Provider = provider;
        Client = services.GetRequiredService<IHttpClientFactory>().CreateClient("llm");
    }

    public ServiceProvider Services { get; }

    public FakeProviderHandler Provider { get; }

    public HttpClient Client { get; }

    public static TelemetryTestHost Create(
        string payload = "openai-chat-cached.json",
        HttpStatusCode status = HttpStatusCode.OK,
        Action<LlmCostOptions>? configure = null,
        Action<LlmCostClientOptions>? client = null)
    {
        var provider = new FakeProviderHandler(Payloads.Bytes(payload), payload.EndsWith(".sse", StringComparison.Ordinal) ? "text/event-stream" : "application/json", status);
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Environment = "test";
            o.Pipeline.BatchDelay = TimeSpan.Zero;
            configure?.Invoke(o);
        }).AddInMemorySink();
        services.AddHttpClient("llm")
            .AddLlmCostTracking(client ?? (_ => { }))
            .ConfigurePrimaryHttpMessageHandler(() => provider);
        return new TelemetryTestHost(services.BuildServiceProvider(), provider);
    }

    /// <summary>Sends one chat call and reads its body to the end.</summary>
    public async Task<string> ChatAsync(string request = ChatRequest, TimeSpan delayBeforeBody = default)
    {
        using var response = await Client.PostAsync(ChatUrl, new StringContent(request, Encoding.UTF8, "application/json"));
        if (delayBeforeBody > TimeSpan.Zero)
        {
            await Task.Delay(delayBeforeBody);
        }

        return await response.Content.ReadAsStringAsync();
    }

    public async Task<CostRecord> SingleRecordAsync()
    {
        await Services.GetRequiredService<ILlmCostTracker>().FlushAsync();
        return Assert.Single(Services.GetRequiredService<InMemoryCostSink>().Records);
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

/// <summary>
/// Tests that listen through OpenTelemetry's SDK (a process-wide MeterListener/ActivityListener by name) or flip the
/// process-wide baggage-write switch run alone, so no other test's measurements, spans or scopes reach them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OpenTelemetryCollection
{
    public const string Name = "OpenTelemetry (not parallel)";
}
