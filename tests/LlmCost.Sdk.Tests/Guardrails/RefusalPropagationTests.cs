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
/// policies), is not retried by Microsoft.Extensions.Http.Resilience's standard handler, and is recorded once with no
/// request made. Polly's default retry predicate does retry it (no exception type can escape both it and the OpenAI SDK's
/// default classifier, pinned below): each retry is refused again before it is sent, and a retry inside the HttpClient
/// pipeline is still recorded once.
/// </summary>
public sealed class RefusalPropagationTests
{
    private static void Cap(LlmCostTrackingBuilder b) => b.AddBudget("cap", o =>
    {
        o.Limit = 0.000001m;
        o.Enforcement = LlmBudgetEnforcement.Refuse;
    });

    /// <summary>No request reached the provider, and the refused call has exactly one record: budget_exceeded, cost 0.</summary>
    private static async Task<CostRecord> AssertRefusedOnceAsync(GuardrailHost host, GuardrailHost.CountingProvider? provider = null)
    {
        Assert.Equal(0, (provider ?? host.Provider).Requests);
        await host.SettleAsync();
        var record = Assert.Single(host.Sink.Records);
        Assert.Equal(LlmBudgetExceededException.BudgetExceededErrorType, record.ErrorType);
        Assert.Equal(0m, record.Cost!.Total);
        return record;
    }

    [Fact]
    public async Task OpenAISdk_DefaultRetryPolicy_RefusalReachesAppUnchanged()
    {
        await using var host = GuardrailHost.Create(Cap);
        using var http = host.CreateClient();
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http) });

        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => chat.CompleteChatAsync([new UserChatMessage("Hello")]));

        Assert.Equal("cap", refused.BudgetName);
        await AssertRefusedOnceAsync(host);
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
        await AssertRefusedOnceAsync(host);
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
        var record = await AssertRefusedOnceAsync(host);
        Assert.Equal("anthropic", record.Provider);
    }

    [Fact]
    public async Task StandardResilienceHandler_AroundCostHandler_DoesNotRetryRefusal()
    {
        var attempts = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s => s.AddHttpClient("openai")
            .AddStandardResilienceHandler(o => o.Retry.Delay = TimeSpan.Zero).Services
            .AddHttpClient("openai")
            .AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref attempts)))
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal(1, attempts); // the standard retry (3 retries by default) did not try again
        await AssertRefusedOnceAsync(host, provider);
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
        await AssertRefusedOnceAsync(host);
    }

    [Fact]
    public async Task PollyRetry_DefaultPredicateInsideHttpClientPipeline_EachRetryRefusedLocallyRecordedOnce()
    {
        // A Polly retry with its default predicate as a handler in front of the cost handler: it sends the same request
        // (a clone with the same content) again; each retry is refused before it is sent, and the call is recorded once.
        var attempts = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s => s.AddHttpClient("openai")
            .AddResilienceHandler("retry", b => b.AddRetry(new RetryStrategyOptions<HttpResponseMessage> { Delay = TimeSpan.Zero, MaxRetryAttempts = 3 })).Services
            .AddHttpClient("openai")
            .AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref attempts)))
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal("cap", refused.BudgetName);
        Assert.Equal(4, attempts);
        await AssertRefusedOnceAsync(host, provider);
    }

    [Fact]
    public async Task PollyRetry_DefaultPredicateAroundHttpClient_EachRetryRefusedLocallyAndLastRefusalThrownUnchanged()
    {
        // Polly's default predicate retries every exception but OperationCanceledException (see the pinned classifier test
        // below for why refusals are not one). Around the HttpClient each attempt builds a new request: a new call, refused
        // before it is sent and recorded on its own, at cost 0.
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
        await host.SettleAsync();
        Assert.Equal(4, host.Sink.Records.Count);
        Assert.All(host.Sink.Records, r =>
        {
            Assert.Equal(LlmBudgetExceededException.BudgetExceededErrorType, r.ErrorType);
            Assert.Equal(0m, r.Cost!.Total);
        });
    }

    [Fact]
    public async Task OpenAISdkDefaultClassifier_OperationCanceledExceptionTheCallerDidNotRequest_IsRetriedAndWrapped()
    {
        // Why refusals do not derive from OperationCanceledException (the one type Polly's default predicate leaves alone):
        // System.ClientModel's default classifier retries any OperationCanceledException whose message token is not
        // cancelled, and after the retries throws an AggregateException: the app would not see the refusal unchanged.
        var attempts = 0;
        using var http = new HttpClient(new ThrowingHandler(() =>
        {
            Interlocked.Increment(ref attempts);
            return new OperationCanceledException("refused (as an OperationCanceledException)");
        }));
        var options = new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http), RetryPolicy = new NoDelayRetryPolicy() };
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), options);

        var thrown = await Assert.ThrowsAsync<AggregateException>(() => chat.CompleteChatAsync([new UserChatMessage("Hello")]));

        Assert.Equal(4, attempts); // the default 3 retries
        Assert.All(thrown.InnerExceptions, e => Assert.IsType<OperationCanceledException>(e));
    }

    [Fact]
    public async Task OpenAISdkDefaultClassifier_InvalidOperationException_NotRetried()
    {
        var attempts = 0;
        using var http = new HttpClient(new ThrowingHandler(() =>
        {
            Interlocked.Increment(ref attempts);
            return new InvalidOperationException("refused");
        }));
        var options = new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http), RetryPolicy = new NoDelayRetryPolicy() };
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), options);

        await Assert.ThrowsAsync<InvalidOperationException>(() => chat.CompleteChatAsync([new UserChatMessage("Hello")]));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task AnthropicSdkDefaultRetries_OperationCanceledExceptionTheCallerDidNotRequest_IsRetried()
    {
        // The Anthropic SDK (13.x) retries it too, as its own timeout: two retries by default, with its back-off.
        var attempts = 0;
        using var http = new HttpClient(new ThrowingHandler(() =>
        {
            Interlocked.Increment(ref attempts);
            return new OperationCanceledException("refused (as an OperationCanceledException)");
        }));
        using var client = new AnthropicClient(new Anthropic.Core.ClientOptions { HttpClient = http, ApiKey = "sk-ant-test" });
        var parameters = new MessageCreateParams { Model = "claude-sonnet-4-5", MaxTokens = 1024, Messages = [new UserMessageParam("Hello")] };

        await Assert.ThrowsAsync<OperationCanceledException>(() => client.Messages.Create(parameters));

        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task AnthropicSdkDefaultRetries_InvalidOperationException_NotRetried()
    {
        var attempts = 0;
        using var http = new HttpClient(new ThrowingHandler(() =>
        {
            Interlocked.Increment(ref attempts);
            return new InvalidOperationException("refused");
        }));
        using var client = new AnthropicClient(new Anthropic.Core.ClientOptions { HttpClient = http, ApiKey = "sk-ant-test" });
        var parameters = new MessageCreateParams { Model = "claude-sonnet-4-5", MaxTokens = 1024, Messages = [new UserMessageParam("Hello")] };

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.Messages.Create(parameters));

        Assert.Equal(1, attempts);
    }

    private sealed class CountingHandler(Action onSend) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend();
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class ThrowingHandler(Func<Exception> exception) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromException<HttpResponseMessage>(exception());
    }

    /// <summary>The default retry policy (its default classifier and retry count) without its 0.8 s back-off.</summary>
    private sealed class NoDelayRetryPolicy : ClientRetryPolicy
    {
        protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount) => TimeSpan.Zero;
    }
}
