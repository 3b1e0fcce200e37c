using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Anthropic.Models.Messages;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using Polly;
using Polly.Retry;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>
/// A refusal reaches the application unchanged through the official OpenAI and Anthropic SDKs (with their default retry
/// policies), and is not retried by Microsoft.Extensions.Http.Resilience's standard handler or Polly's default retry.
/// </summary>
public sealed class RefusalPropagationTests
{
    private static void Cap(LlmCostTrackingBuilder b) => b.AddBudget("cap", o =>
    {
        o.Limit = 0.000001m;
        o.Enforcement = LlmBudgetEnforcement.Refuse;
    });

    [Fact]
    public async Task OpenAISdk_DefaultRetryPolicy_RefusalReachesAppUnchanged()
    {
        await using var host = GuardrailHost.Create(Cap);
        using var http = host.CreateClient();
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http) });

        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => chat.CompleteChatAsync([new UserChatMessage("Hello")]));

        Assert.Equal("cap", refused.BudgetName);
        Assert.Equal(0, host.Provider.Requests);
        await host.SettleAsync();
        Assert.Equal("budget_exceeded", Assert.Single(host.Sink.Records).ErrorType);
    }

    [Fact]
    public async Task OpenAISdk_Streaming_RefusalReachesAppUnchanged()
    {
        await using var host = GuardrailHost.Create(Cap);
        using var http = host.CreateClient();
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http) });

        await Assert.ThrowsAsync<LlmBudgetExceededException>(async () =>
        {
            await foreach (var _ in chat.CompleteChatStreamingAsync([new UserChatMessage("Hello")]))
            {
            }
        });
        Assert.Equal(0, host.Provider.Requests);
    }

    [Fact]
    public async Task AnthropicSdk_DefaultRetries_RefusalReachesAppUnchanged()
    {
        await using var host = GuardrailHost.Create(Cap);
        using var http = host.CreateClient();
        using var client = new AnthropicClient(new Anthropic.Core.ClientOptions { HttpClient = http, ApiKey = "sk-ant-test" });
        var parameters = new MessageCreateParams { Model = "claude-sonnet-4-5", MaxTokens = 1024, Messages = [new UserMessageParam("Hello")] };

        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => client.Messages.Create(parameters));

        Assert.Equal(0.000001m, refused.Limit);
        Assert.Equal(0, host.Provider.Requests);
        await host.SettleAsync();
        var record = Assert.Single(host.Sink.Records);
        Assert.Equal("budget_exceeded", record.ErrorType);
        Assert.Equal("anthropic", record.Provider);
    }

    [Fact]
    public async Task StandardResilienceHandler_AroundCostHandler_DoesNotRetryRefusal()
    {
        var attempts = 0;
        var provider = new GuardrailHost.CountingProvider();
        var services = new ServiceCollection();
        Cap(services.AddLlmCostTracking().AddInMemorySink());
        services.AddHttpClient("openai")
            .AddStandardResilienceHandler(o => o.Retry.Delay = TimeSpan.Zero).Services
            .AddHttpClient("openai")
            .AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref attempts)))
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider);
        await using var sp = services.BuildServiceProvider();
        using var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal(1, attempts); // the standard retry (3 retries by default) did not try again
        Assert.Equal(0, provider.Requests);
    }

    [Fact]
    public async Task PollyRetry_GuardrailPredicate_DoesNotRetryRefusal()
    {
        await using var host = GuardrailHost.Create(Cap);
        using var http = host.CreateClient();
        var attempts = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                Delay = TimeSpan.Zero,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not LlmGuardrailException),
            })
            .Build();

        await Assert.ThrowsAsync<LlmBudgetExceededException>(async () => await pipeline.ExecuteAsync(async ct =>
        {
            Interlocked.Increment(ref attempts);
            using var response = await http.SendAsync(GuardrailHost.Chat(), ct);
        }));

        Assert.Equal(1, attempts);
        Assert.Equal(0, host.Provider.Requests);
    }

    [Fact]
    public async Task PollyRetry_DefaultPredicate_EachRetryRefusedLocallyAndLastRefusalThrownUnchanged()
    {
        // Polly's default predicate retries every exception but OperationCanceledException (which both official SDKs would
        // retry themselves): documented; each retry is refused again before it is sent.
        await using var host = GuardrailHost.Create(Cap);
        using var http = host.CreateClient();
        var attempts = 0;
        var pipeline = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { Delay = TimeSpan.Zero, MaxRetryAttempts = 3 }).Build();

        await Assert.ThrowsAsync<LlmBudgetExceededException>(async () => await pipeline.ExecuteAsync(async ct =>
        {
            Interlocked.Increment(ref attempts);
            using var response = await http.SendAsync(GuardrailHost.Chat(), ct);
        }));

        Assert.Equal(4, attempts);
        Assert.Equal(0, host.Provider.Requests);
    }

    private sealed class CountingHandler(Action onSend) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
