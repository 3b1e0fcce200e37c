using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk.ReliabilityTests.Pipeline;

/// <summary>A configuration error is reported once, clearly, at start-up; it never surfaces elsewhere.</summary>
public class StartupErrorTests
{
    private static void Misconfigure(LlmCostOptions o) => o.Pipeline.QueueCapacity = 0;

    [Fact]
    public async Task Host_InvalidOptions_StartThrowsTheValidationErrorAndStopDoesNotThrow()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLlmCostTracking(Misconfigure).AddInMemorySink();
        using var host = builder.Build();

        // The usual try { StartAsync } finally { StopAsync } code: the start error is the one the app sees.
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            try
            {
                await host.StartAsync();
            }
            finally
            {
                await host.StopAsync();
            }
        });
        Assert.Contains("QueueCapacity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoHost_InvalidOptions_CreateClientDoesNotThrowAndTheCallPassesThroughUntracked()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(Misconfigure).AddInMemorySink();
        services.AddHttpClient("llm").AddLlmCostTracking().ConfigurePrimaryHttpMessageHandler(() => new ChatHandler());
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("llm");
        using var response = await client.SendAsync(ChatHandler.OpenAIRequest());
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(ChatHandler.OpenAIChat, body);
    }
}
