using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace LlmCost.Sdk.Extensions.AI.Tests.EndToEnd;

/// <summary>
/// A budget refusal reaches the application unchanged through Microsoft.Extensions.AI (the OpenAI IChatClient, decorated),
/// and a retry handler on the client underneath (the standard resilience handler, added before the cost handler) never
/// sees it: the guardrails' pre-flight is the outermost handler.
/// </summary>
public sealed class GuardrailRefusalTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task GetResponse_BudgetRefuses_ExceptionReachesAppUnchangedAndNothingIsSent(bool streaming, bool standardResilienceHandler)
    {
        var handler = new FakeProviderHandler(Payloads.Bytes("openai-chat.json"), Payloads.MediaType("openai-chat.json"));
        var retries = 0;
        await using var services = TestServices.Create(services: s =>
        {
            s.AddLlmCostTracking().AddBudget("cap", o =>
            {
                o.Limit = 0.000001m;
                o.Enforcement = LlmBudgetEnforcement.Refuse;
            });
            var client = s.AddHttpClient("tracked");
            if (standardResilienceHandler)
            {
                client.AddStandardResilienceHandler(o => o.Retry.OnRetry = _ =>
                {
                    Interlocked.Increment(ref retries);
                    return default;
                });
            }

            client.AddLlmCostTracking().ConfigurePrimaryHttpMessageHandler(() => handler);
        });
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("tracked");
        var options = new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http) }; // the SDK's default retries
        using var client = new OpenAI.Chat.ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), options).AsIChatClient()
            .AsBuilder().UseLlmCostTracking().Build(services);

        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(async () =>
        {
            if (streaming)
            {
                await foreach (var _ in client.GetStreamingResponseAsync("Hello"))
                {
                }
            }
            else
            {
                await client.GetResponseAsync("Hello");
            }
        });

        Assert.Equal("cap", refused.BudgetName);
        Assert.Equal(0, retries);
        Assert.Equal(0, handler.Calls);
        var record = await services.SingleRecordAsync(); // the HTTP handler's refused call; the decorator stands aside
        Assert.Equal("budget_exceeded", record.ErrorType);
        Assert.Equal(0m, record.Cost!.Total);
    }
}
