using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Tests;

/// <summary>
/// Services with cost tracking, budgets and a fake OpenAI provider whose every call costs a known amount:
/// 1,000 input and 1,000 output tokens of gpt-4o = $0.0025 + $0.01 = <see cref="CallCost"/>.
/// </summary>
internal sealed class GuardrailHost : IAsyncDisposable
{
    public const decimal CallCost = 0.0125m;

    public static readonly byte[] ChatResponse = Encoding.UTF8.GetBytes(
        """{"id":"c1","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":1000,"total_tokens":2000}}""");

    private GuardrailHost(ServiceProvider services, FakeTimeProvider time, CountingProvider provider)
    {
        Services = services;
        Time = time;
        Provider = provider;
        Tracker = services.GetRequiredService<ILlmCostTracker>();
        Sink = services.GetRequiredService<InMemoryCostSink>();
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public CountingProvider Provider { get; }

    public ILlmCostTracker Tracker { get; }

    public InMemoryCostSink Sink { get; }

    public static GuardrailHost Create(Action<LlmCostTrackingBuilder> budgets, DateTimeOffset? now = null, Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(now ?? new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(time);
        var builder = collection.AddLlmCostTracking(o => o.Environment = "test").AddInMemorySink();
        budgets(builder);
        services?.Invoke(collection);
        return new GuardrailHost(collection.BuildServiceProvider(), time, new CountingProvider());
    }

    /// <summary>A client whose requests go through the cost handler to the counting provider.</summary>
    public HttpClient CreateClient(LlmCostTags? defaults = null)
    {
        var handler = Tracker.CreateHandler(defaults is null ? null : new LlmCostTags { Feature = defaults.Feature, Team = defaults.Team, Customer = defaults.Customer });
        handler.InnerHandler = Provider;
        return new HttpClient(handler);
    }

    public static HttpRequestMessage Chat(int? maxTokens = 1000, string model = "gpt-4o", string prompt = "Hello")
    {
        var max = maxTokens is null ? string.Empty : $",\"max_tokens\":{maxTokens}";
        return new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{prompt}}"}]{{max}}}""", Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>Sends one chat call and reads its body to the end.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage? request = null)
    {
        var response = await client.SendAsync(request ?? Chat());
        await response.Content.ReadAsByteArrayAsync();
        return response;
    }

    /// <summary>Flushes records (settling their reservations) and waits for the settlements and their alerts.</summary>
    public async Task SettleAsync()
    {
        await Tracker.FlushAsync();
        if (Services.GetService<BudgetGuard>() is { } guard)
        {
            await guard.WhenIdleAsync();
        }
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    /// <summary>The fake provider: answers every request with <see cref="ChatResponse"/> and counts the requests it received.</summary>
    internal sealed class CountingProvider : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public ConcurrentQueue<byte[]> Bodies { get; } = new();

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            SendAsync(request, cancellationToken).GetAwaiter().GetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            if (request.Content is not null)
            {
                Bodies.Enqueue(await request.Content.ReadAsByteArrayAsync(cancellationToken));
            }

            var response = FakeProviderHandler.Response(ChatResponse);
            response.RequestMessage = request;
            return response;
        }
    }
}

/// <summary>An alert handler that keeps what it receives and signals each arrival.</summary>
internal sealed class CollectingAlertHandler : ILlmBudgetAlertHandler
{
    private readonly ConcurrentQueue<LlmBudgetAlert> _alerts = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public IReadOnlyList<LlmBudgetAlert> Alerts => [.. _alerts];

    public Task OnAlertAsync(LlmBudgetAlert alert, CancellationToken cancellationToken)
    {
        _alerts.Enqueue(alert);
        _arrived.Release();
        return Task.CompletedTask;
    }

    /// <summary>Waits for <paramref name="count"/> more alerts (fails after 10 s).</summary>
    public async Task WaitAsync(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await _arrived.WaitAsync(TimeSpan.FromSeconds(10)), "the alert did not arrive");
        }
    }
}
