using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Redis.Tests;

/// <summary>
/// One app instance: its own service provider with cost tracking, budgets in Redis and a fake OpenAI provider whose every
/// call costs $0.0125 (1,000 input and 1,000 output tokens of gpt-4o) and counts the requests that reached it.
/// </summary>
internal sealed class RedisHost : IAsyncDisposable
{
    public const decimal CallCost = 0.0125m;

    /// <summary>The worst-case estimate of <see cref="Chat"/>: 28 input tokens (84 bytes / 3) and 1,000 output tokens of gpt-4o.</summary>
    public const decimal Estimate = 0.01007m;

    private static readonly byte[] Response = Encoding.UTF8.GetBytes(
        """{"id":"c1","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":1000,"total_tokens":2000}}""");

    private RedisHost(ServiceProvider services, FakeProvider provider)
    {
        Services = services;
        Provider = provider;
        Tracker = services.GetRequiredService<ILlmCostTracker>();
        Sink = services.GetRequiredService<InMemoryCostSink>();
    }

    public ServiceProvider Services { get; }

    public FakeProvider Provider { get; }

    public ILlmCostTracker Tracker { get; }

    public InMemoryCostSink Sink { get; }

    public RedisBudgetStore Store => (RedisBudgetStore)Services.GetRequiredService<IBudgetStore>();

    public static RedisHost Create(string redis, string prefix, Action<LlmBudgetOptions> budget, Action<RedisBudgetStoreOptions>? store = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddLlmCostTracking()
            .AddInMemorySink()
            .AddBudget("cap", budget)
            .AddRedisBudgetStore(redis, o =>
            {
                o.KeyPrefix = prefix;
                store?.Invoke(o);
            });
        return new RedisHost(services.BuildServiceProvider(), new FakeProvider());
    }

    public HttpClient CreateClient()
    {
        var handler = Tracker.CreateHandler();
        handler.InnerHandler = Provider;
        return new HttpClient(handler);
    }

    public static HttpRequestMessage Chat() => new(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
    {
        Content = new StringContent("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_tokens":1000}""", Encoding.UTF8, "application/json"),
    };

    public static async Task SendAsync(HttpClient client)
    {
        using var response = await client.SendAsync(Chat());
        await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Flushes records (settling their reservations) and waits for the settlements.</summary>
    public async Task SettleAsync()
    {
        await Tracker.FlushAsync();
        await Services.GetRequiredService<BudgetGuard>().WhenIdleAsync();
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    internal sealed class FakeProvider : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            if (request.Content is not null)
            {
                await request.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            // Let other callers in while this one is in flight.
            await Task.Yield();
            var content = new ByteArrayContent(Response);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content, RequestMessage = request };
        }
    }
}
