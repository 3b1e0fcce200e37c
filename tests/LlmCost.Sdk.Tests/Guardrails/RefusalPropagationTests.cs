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
/// policies) and Microsoft.Extensions.AI, and is recorded once with no request made. On an <c>IHttpClientFactory</c>
/// client the guardrails' pre-flight runs before every handler the app added (an outermost handler, whatever the order
/// of <c>AddLlmCostTracking</c> and the retry handlers): neither Microsoft.Extensions.Http.Resilience's standard handler
/// nor a Polly retry with its default predicate (which retries every exception but OperationCanceledException) sees the
/// refusal: no retry, no delay. A retry of a real failure (a 500) inside it is one reservation, settled once to what the
/// attempts cost. Polly around the app's own code cannot be helped by handler order: its predicate excludes refusals with
/// <see cref="LlmGuardrailException.IsRefusal"/>, and without it each retry is refused again before it is sent.
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
        var retries = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s => s.AddHttpClient("openai")
            .AddStandardResilienceHandler(o =>
            {
                o.Retry.Delay = TimeSpan.Zero;
                o.Retry.OnRetry = _ => Count(ref retries);
            }).Services
            .AddHttpClient("openai")
            .AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref attempts)))
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        // Refused before the standard handler ran: it made no attempt at all (it used to make one, and not retry it).
        Assert.Equal(0, retries);
        Assert.Equal(0, attempts);
        await AssertRefusedOnceAsync(host, provider);
    }

    [Fact]
    public async Task StandardResilienceHandler_DefaultDelay_RefusalThrownAtOnceNotRetried()
    {
        // The standard handler as most apps add it (3 retries, 2 s exponential back-off with jitter), registered before the
        // cost handler: the refusal comes back without a retry (so without a delay).
        var retries = 0;
        var attempts = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s => s.AddHttpClient("openai")
            .AddStandardResilienceHandler(o => o.Retry.OnRetry = _ => Count(ref retries)).Services
            .AddHttpClient("openai")
            .AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref attempts)))
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal(0, retries);
        Assert.Equal(0, attempts);
        await AssertRefusedOnceAsync(host, provider);
    }

    [Fact]
    public async Task StandardResilienceHandler_RegisteredAfterCostTracking_RefusalNotRetried()
    {
        var retries = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s => s.AddHttpClient("openai")
            .AddLlmCostTracking()
            .AddStandardResilienceHandler(o => o.Retry.OnRetry = _ => Count(ref retries)).Services
            .AddHttpClient("openai")
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal(0, retries);
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
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => !LlmGuardrailException.IsRefusal(e)),
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
    public async Task PollyRetry_IsRefusalPredicate_OpenAISdkInsidePipeline_DoesNotRetryRefusal()
    {
        // Polly around an SDK call: the same one-call predicate, whatever the SDK wraps the refusal in.
        await using var host = GuardrailHost.Create(Cap);
        using var http = host.CreateClient();
        var chat = new ChatClient("gpt-4o", new ApiKeyCredential("sk-test"), new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http) });
        var attempts = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { Delay = TimeSpan.Zero, ShouldHandle = new PredicateBuilder().Handle<Exception>(e => !LlmGuardrailException.IsRefusal(e)) })
            .Build();

        await Assert.ThrowsAsync<LlmBudgetExceededException>(async () => await pipeline.ExecuteAsync(async ct =>
        {
            Interlocked.Increment(ref attempts);
            await chat.CompleteChatAsync([new UserChatMessage("Hello")], cancellationToken: ct);
        }));

        Assert.Equal(1, attempts);
        await AssertRefusedOnceAsync(host);
    }

    [Fact]
    public void IsRefusal_RefusalItselfOrWrapped_TrueOtherwiseFalse()
    {
        var refusal = new LlmBudgetExceededException("cap", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1), 1m, 1m, 0.1m);

        Assert.True(LlmGuardrailException.IsRefusal(refusal));
        Assert.True(LlmGuardrailException.IsRefusal(new AggregateException(new IOException("first try"), refusal)));
        Assert.True(LlmGuardrailException.IsRefusal(new HttpRequestException("wrapped", refusal)));
        Assert.True(LlmGuardrailException.IsRefusal(new AggregateException(new InvalidOperationException("outer", new AggregateException(refusal)))));
        Assert.False(LlmGuardrailException.IsRefusal(null));
        Assert.False(LlmGuardrailException.IsRefusal(new InvalidOperationException("not a refusal")));
        Assert.False(LlmGuardrailException.IsRefusal(new AggregateException(new IOException("a"), new HttpRequestException("b"))));
        Assert.False(LlmGuardrailException.IsRefusal(new OperationCanceledException()));
    }

    [Fact]
    public async Task PollyRetry_DefaultPredicateInsideHttpClientPipeline_RefusedOnceBeforeTheRetryHandler()
    {
        // A Polly retry with its default predicate (every exception but OperationCanceledException) added before the cost
        // handler: the guardrails' pre-flight runs in front of it, so the refusal is thrown at once, never retried.
        var attempts = 0;
        var retries = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s => s.AddHttpClient("openai")
            .AddResilienceHandler("retry", b => b.AddRetry(new RetryStrategyOptions<HttpResponseMessage> { Delay = TimeSpan.Zero, MaxRetryAttempts = 3, OnRetry = _ => Count(ref retries) })).Services
            .AddHttpClient("openai")
            .AddHttpMessageHandler(() => new CountingHandler(() => Interlocked.Increment(ref attempts)))
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal("cap", refused.BudgetName);
        Assert.Equal(0, retries); // it was 3: each retry refused again
        Assert.Equal(0, attempts); // nothing behind the pre-flight ran
        await AssertRefusedOnceAsync(host, provider);
    }

    [Fact]
    public async Task PollyRetry_DefaultPredicateRegisteredAfterCostTracking_RefusalNotRetried()
    {
        var retries = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s => s.AddHttpClient("openai")
            .AddLlmCostTracking()
            .AddResilienceHandler("retry", b => b.AddRetry(new RetryStrategyOptions<HttpResponseMessage> { Delay = TimeSpan.Zero, MaxRetryAttempts = 3, OnRetry = _ => Count(ref retries) })).Services
            .AddHttpClient("openai")
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal(0, retries);
        await AssertRefusedOnceAsync(host, provider);
    }

    [Fact]
    public async Task PollyRetry_DefaultPredicateFromHttpClientDefaults_TypedClient_RefusalNotRetried()
    {
        // The retry from ConfigureHttpClientDefaults runs before the typed client's own configuration: still outside the
        // pre-flight.
        var retries = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s =>
        {
            s.ConfigureHttpClientDefaults(b => b.AddResilienceHandler("retry", r => r.AddRetry(new RetryStrategyOptions<HttpResponseMessage> { Delay = TimeSpan.Zero, OnRetry = _ => Count(ref retries) })));
            s.AddHttpClient<TypedClient>().AddLlmCostTracking().ConfigurePrimaryHttpMessageHandler(() => provider);
        });
        var typed = host.Services.GetRequiredService<TypedClient>();

        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => typed.Http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal(0, retries);
        await AssertRefusedOnceAsync(host, provider);
    }

    [Fact]
    public async Task PollyRetry_CostTrackingFromHttpClientDefaults_RefusalNotRetried()
    {
        var retries = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s =>
        {
            s.ConfigureHttpClientDefaults(b => b.AddLlmCostTracking());
            s.AddHttpClient("openai")
                .ConfigurePrimaryHttpMessageHandler(() => provider)
                .AddResilienceHandler("retry", r => r.AddRetry(new RetryStrategyOptions<HttpResponseMessage> { Delay = TimeSpan.Zero, OnRetry = _ => Count(ref retries) }));
        });
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal(0, retries);
        await AssertRefusedOnceAsync(host, provider);
    }

    [Fact]
    public async Task PollyRetry_BeforeAHandlerFromCreateHandlerOnAFactoryClient_RefusalNotRetried()
    {
        // The app adds the tracker's handler itself (no AddLlmCostTracking on the client): budgets register the filter.
        var retries = 0;
        var provider = new GuardrailHost.CountingProvider();
        await using var host = GuardrailHost.Create(Cap, services: s => s.AddHttpClient("openai")
            .AddResilienceHandler("retry", r => r.AddRetry(new RetryStrategyOptions<HttpResponseMessage> { Delay = TimeSpan.Zero, OnRetry = _ => Count(ref retries) })).Services
            .AddHttpClient("openai")
            .AddHttpMessageHandler(sp => sp.GetRequiredService<ILlmCostTracker>().CreateHandler())
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.Equal(0, retries);
        await AssertRefusedOnceAsync(host, provider);
    }

    [Fact]
    public async Task PollyRetry_OfA500InsideThePreflight_OneReservationSettledOnceToWhatWasSent()
    {
        // A hard cap with room: the pre-flight reserves once; the retry handler behind it sends twice (a 500, then the
        // answer); each attempt is recorded (the 500 at cost 0), and the reservation settles once to their sum.
        var retries = 0;
        var provider = new FlakyProvider(failures: 1);
        await using var host = GuardrailHost.Create(b => b.AddBudget("cap", o =>
        {
            o.Limit = 1m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }), services: s => s.AddHttpClient("openai")
            .AddResilienceHandler("retry", r => r.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Delay = TimeSpan.Zero,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null || args.Outcome.Result?.StatusCode == System.Net.HttpStatusCode.InternalServerError),
                OnRetry = _ => Count(ref retries),
            })).Services
            .AddHttpClient("openai")
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        using (var response = await http.SendAsync(GuardrailHost.Chat()))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        await host.SettleAsync();
        Assert.Equal(1, retries);
        Assert.Equal(2, provider.Requests);
        Assert.Equal(2, host.Sink.Records.Count);
        Assert.Equal(GuardrailHost.CallCost, host.Sink.Records.Sum(r => r.Cost?.Total ?? 0m));

        var store = host.Services.GetRequiredService<IBudgetStore>();
        var window = BudgetWindow.At(BudgetWindowKind.Day, TimeSpan.Zero, TimeZoneInfo.Utc, host.Time.GetUtcNow());
        Assert.Equal(GuardrailHost.CallCost, (await store.GetSpentAsync("cap", window.Buckets))[0]); // settled once, to the real cost
        var probe = await store.ReserveAsync(new BudgetReservation { ScopeKey = "cap", Buckets = window.Buckets, Id = "probe", Now = host.Time.GetUtcNow(), ExpiresAt = host.Time.GetUtcNow().AddMinutes(1) });
        Assert.Equal(0m, probe.Reserved); // nothing left reserved
        Assert.Equal(GuardrailHost.CallCost, probe.Spent);
    }

    [Fact]
    public async Task OutermostPreflight_StoreAnswersAsynchronously_RefusesAndSettlesAsWithTheInMemoryStore()
    {
        // A distributed store answers later (Redis): the guard handler awaits it, then sends; the refusal is the same.
        var retries = 0;
        var provider = new GuardrailHost.CountingProvider();
        var store = new YieldingStore();
        await using var host = GuardrailHost.Create(b =>
        {
            b.Services.AddSingleton<IBudgetStore>(store);
            b.AddBudget("cap", o =>
            {
                o.Limit = 0.02m; // one call ($0.0125) fits; the second one's worst case ($0.01007) does not
                o.Enforcement = LlmBudgetEnforcement.Refuse;
            });
        }, services: s => s.AddHttpClient("openai")
            .AddResilienceHandler("retry", r => r.AddRetry(new RetryStrategyOptions<HttpResponseMessage> { Delay = TimeSpan.Zero, OnRetry = _ => Count(ref retries) })).Services
            .AddHttpClient("openai")
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        using (var response = await http.SendAsync(GuardrailHost.Chat()))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        await host.SettleAsync();
        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => http.SendAsync(GuardrailHost.Chat()));

        Assert.True(store.Reserves >= 2);
        Assert.Equal(0, retries);
        Assert.Equal(1, provider.Requests);
        await host.SettleAsync();
        Assert.Equal(2, host.Sink.Records.Count);
        Assert.Equal(1, host.Sink.Records.Count(r => r.ErrorType == LlmBudgetExceededException.BudgetExceededErrorType));
    }

    [Fact]
    public async Task PollyRetry_AllAttemptsFail_ReservationReleasedToZero()
    {
        var provider = new FlakyProvider(failures: int.MaxValue);
        await using var host = GuardrailHost.Create(b => b.AddBudget("cap", o =>
        {
            o.Limit = 1m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }), services: s => s.AddHttpClient("openai")
            .AddResilienceHandler("retry", r => r.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                Delay = TimeSpan.Zero,
                MaxRetryAttempts = 2,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == System.Net.HttpStatusCode.InternalServerError),
            })).Services
            .AddHttpClient("openai")
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");

        using (var response = await http.SendAsync(GuardrailHost.Chat()))
        {
            Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
        }

        await host.SettleAsync();
        Assert.Equal(3, provider.Requests);
        Assert.Equal(3, host.Sink.Records.Count);
        var store = host.Services.GetRequiredService<IBudgetStore>();
        var window = BudgetWindow.At(BudgetWindowKind.Day, TimeSpan.Zero, TimeZoneInfo.Utc, host.Time.GetUtcNow());
        var probe = await store.ReserveAsync(new BudgetReservation { ScopeKey = "cap", Buckets = window.Buckets, Id = "probe", Now = host.Time.GetUtcNow(), ExpiresAt = host.Time.GetUtcNow().AddMinutes(1) });
        Assert.Equal(0m, probe.Reserved);
        Assert.Equal(0m, probe.Spent);
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

    private static ValueTask Count(ref int counter)
    {
        Interlocked.Increment(ref counter);
        return default;
    }

    /// <summary>The in-memory store, answering every reservation after a yield (as a remote store would).</summary>
    private sealed class YieldingStore : IBudgetStore
    {
        private readonly InMemoryBudgetStore _inner = new();
        private int _reserves;

        public int Reserves => Volatile.Read(ref _reserves);

        public async ValueTask<BudgetTotals> ReserveAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            Interlocked.Increment(ref _reserves);
            return await _inner.ReserveAsync(reservation, cancellationToken);
        }

        public ValueTask<BudgetTotals> SettleAsync(BudgetSettlement settlement, CancellationToken cancellationToken = default) => _inner.SettleAsync(settlement, cancellationToken);

        public ValueTask<IReadOnlyList<decimal>> GetSpentAsync(string scopeKey, IReadOnlyList<string> buckets, CancellationToken cancellationToken = default) =>
            _inner.GetSpentAsync(scopeKey, buckets, cancellationToken);

        public ValueTask<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => _inner.TryMarkAsync(key, expiresAt, cancellationToken);
    }

    /// <summary>A typed client.</summary>
    internal sealed class TypedClient(HttpClient http)
    {
        public HttpClient Http { get; } = http;
    }

    /// <summary>Answers a 500 (no usage) to the first <c>failures</c> requests, then the priced chat response.</summary>
    private sealed class FlakyProvider(int failures) : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _requests);
            if (request.Content is not null)
            {
                await request.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            var response = n <= failures
                ? new HttpResponseMessage(System.Net.HttpStatusCode.InternalServerError) { Content = new StringContent("""{"error":{"message":"boom"}}""", System.Text.Encoding.UTF8, "application/json") }
                : FakeProviderHandler.Response(GuardrailHost.ChatResponse);
            response.RequestMessage = request;
            return response;
        }
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
