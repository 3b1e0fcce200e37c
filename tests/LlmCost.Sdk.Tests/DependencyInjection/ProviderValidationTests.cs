using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk.Tests.DependencyInjection;

/// <summary>
/// Provider names in options (<c>Endpoints[].Provider</c>, a client's pinned provider) are validated at start-up and
/// their case normalized, so a typo is not a silent <c>cost: null</c> and records keep one spelling.
/// </summary>
public class ProviderValidationTests
{
    private const string ChatRequest = """{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello"}]}""";

    private static async Task<CostRecord> CallAsync(string url, Action<LlmCostOptions>? configure = null, Action<LlmCostClientOptions>? client = null)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Pipeline.BatchDelay = TimeSpan.Zero;
            configure?.Invoke(o);
        }).AddInMemorySink();
        services.AddHttpClient("llm")
            .AddLlmCostTracking(client ?? (_ => { }))
            .ConfigurePrimaryHttpMessageHandler(() => new FakeProviderHandler(Payloads.Bytes("openai-chat.json")));
        await using var sp = services.BuildServiceProvider();
        var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient("llm");

        using (var response = await http.PostAsync(url, new StringContent(ChatRequest, Encoding.UTF8, "application/json")))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        await sp.GetRequiredService<ILlmCostTracker>().FlushAsync();
        return Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records);
    }

    [Theory]
    [InlineData("OpenAI")]
    [InlineData(" openai ")]
    [InlineData("OPENAI")]
    public async Task Endpoint_KnownProviderInAnyCase_IsRecordedInItsCanonicalSpellingAndPriced(string provider)
    {
        var record = await CallAsync(
            "https://gateway.internal/openai/v1/chat/completions",
            o => o.Endpoints.Add(new LlmCostEndpoint { BaseAddress = "https://gateway.internal/openai", Provider = provider }));

        Assert.Equal("openai", record.Provider);
        Assert.NotNull(record.Cost);
    }

    [Fact]
    public async Task PinnedProvider_KnownProviderInAnyCase_IsRecordedInItsCanonicalSpelling()
    {
        var record = await CallAsync("https://gateway.internal/v1/chat/completions", client: o => o.Provider = "OpenAI");

        Assert.Equal("openai", record.Provider);
        Assert.NotNull(record.Cost);
    }

    [Fact]
    public async Task HostStart_UnknownPinnedProvider_FailsNamingTheClient()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLlmCostTracking().AddInMemorySink();
        builder.Services.AddHttpClient("gateway").AddLlmCostTracking(o => o.Provider = "foobar");
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("LlmCostClientOptions.Provider of HTTP client 'gateway', 'foobar', is not a known provider", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_ProviderThatThePricesName_IsValid()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLlmCostTracking(o =>
        {
            o.Prices.Add(new ModelPrice { Provider = "in-house", Model = "llm-1", Input = 1m, Output = 2m });
            o.Endpoints.Add(new LlmCostEndpoint { BaseAddress = "https://llm.internal/", Provider = "in-house" });
        }).AddInMemorySink();
        builder.Services.AddHttpClient("in-house").AddLlmCostTracking(o => o.Provider = "in-house");
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal("in-house", Assert.Single(host.Services.GetRequiredService<IOptions<LlmCostOptions>>().Value.Endpoints).Provider);
    }
}
