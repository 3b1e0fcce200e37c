using System.Buffers;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// What budgets add to a tracked call's path. One operation = the same call as <see cref="HandlerOverheadBenchmarks"/>
/// (POST chat completion with a small JSON body, the 1 KiB JSON response read to the end) through the tracking handler:
/// without budgets (baseline); with five budgets none of which matches the call (scoped to other features); with one
/// matching hard cap in memory (the body is read, the worst case estimated and reserved; the pump settles it); with one
/// matching warn-only budget (no pre-flight; the pump settles the spend); and the hard cap in Redis on loopback (only
/// when <c>LLMCOST_BENCH_REDIS</c>=host:port is set).
/// </summary>
[MemoryDiagnoser]
public class GuardrailBenchmarks
{
    private static readonly Uri Endpoint = new("https://api.openai.com/v1/chat/completions");
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly string? Redis = Environment.GetEnvironmentVariable("LLMCOST_BENCH_REDIS");

    private readonly List<ServiceProvider> _services = [];
    private HttpClient _noBudgets = null!;
    private HttpClient _noneMatching = null!;
    private HttpClient _oneMatching = null!;
    private HttpClient _oneMatchingWarn = null!;
    private HttpClient? _oneMatchingRedis;

    [GlobalSetup]
    public void Setup()
    {
        var body = Payloads.OpenAIChatCompletion(contentBytes: 400);
        _noBudgets = Client(body, _ => { });
        _noneMatching = Client(body, b =>
        {
            for (var i = 0; i < 5; i++)
            {
                b.AddBudget("other-" + i, o =>
                {
                    o.Feature = "feature-" + i;
                    o.Limit = 1_000_000m;
                    o.Enforcement = LlmBudgetEnforcement.Refuse;
                });
            }
        });
        _oneMatching = Client(body, b => b.AddBudget("team", o =>
        {
            o.Team = "search";
            o.Limit = 1_000_000m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }));
        _oneMatchingWarn = Client(body, b => b.AddBudget("team", o =>
        {
            o.Team = "search";
            o.Limit = 1_000_000m;
        }));
        if (!string.IsNullOrWhiteSpace(Redis))
        {
            _oneMatchingRedis = Client(body, b => b
                .AddBudget("team", o =>
                {
                    o.Team = "search";
                    o.Limit = 1_000_000m;
                    o.Enforcement = LlmBudgetEnforcement.Refuse;
                })
                .AddRedisBudgetStore(Redis, o => o.KeyPrefix = "llmcost-bench:" + Guid.NewGuid().ToString("N") + ":"));
        }

        foreach (var client in new[] { _noBudgets, _noneMatching, _oneMatching, _oneMatchingWarn, _oneMatchingRedis })
        {
            if (client is not null)
            {
                SendAndReadAsync(client).GetAwaiter().GetResult();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var services in _services)
        {
            services.Dispose();
        }
    }

    [Benchmark(Baseline = true)]
    public Task<long> NoBudgets() => SendAndReadAsync(_noBudgets);

    [Benchmark]
    public Task<long> FiveBudgets_NoneMatching() => SendAndReadAsync(_noneMatching);

    [Benchmark]
    public Task<long> OneMatchingBudget_InMemory() => SendAndReadAsync(_oneMatching);

    /// <summary>A warn-only budget: nothing is read before sending; the record settles the spend on the pump.</summary>
    [Benchmark]
    public Task<long> OneMatchingWarnBudget_InMemory() => SendAndReadAsync(_oneMatchingWarn);

    [Benchmark]
    public Task<long> OneMatchingBudget_Redis() => _oneMatchingRedis is null ? Task.FromResult(0L) : SendAndReadAsync(_oneMatchingRedis);

    private HttpClient Client(byte[] body, Action<LlmCostTrackingBuilder> budgets)
    {
        var services = new ServiceCollection();
        var builder = services.AddLlmCostTracking(o =>
        {
            o.Environment = "benchmark";
            o.DefaultTags.Team = "search";
        }).AddSink(new DiscardSink());
        budgets(builder);
        var provider = services.BuildServiceProvider();
        _services.Add(provider);
        var handler = provider.GetRequiredService<ILlmCostTracker>().CreateHandler();
        handler.InnerHandler = new CannedResponseHandler(body, null);
        return new HttpClient(handler);
    }

    private static async Task<long> SendAndReadAsync(HttpClient client)
    {
        var content = new ByteArrayContent(Payloads.OpenAIRequest);
        content.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        long total = 0;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return total;
    }
}
