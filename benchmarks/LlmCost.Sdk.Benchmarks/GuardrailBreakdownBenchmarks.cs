using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Where a matching in-memory budget's cost goes, piece by piece, calling the SDK's internals directly (no HttpClient):
/// a fresh request (the baseline every piece that needs one includes), reading its body (as the SDK did before, buffering
/// the content and copying it out, and now, into a pooled buffer), reading its shape (model, max-tokens), the worst-case
/// estimate (token count and pricing), one reservation and its settlement in the in-memory store, and the whole
/// pre-flight of a tracked call (begin, pre-flight, release of the reservation). A diagnostic companion to
/// <see cref="GuardrailBenchmarks"/>; its figures are not targets.
/// </summary>
[MemoryDiagnoser]
public class GuardrailBreakdownBenchmarks
{
    private static readonly Uri Endpoint = new("https://api.openai.com/v1/chat/completions");
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private static readonly OperationCanceledException NotSent = new("not sent (benchmark)");

    private ServiceProvider? _services;
    private HttpCallTracker _recorder = null!;
    private BudgetGuard _guard = null!;
    private LlmCostEstimator _estimator = null!;
    private IBudgetStore _store = null!;
    private LlmCostTags _defaults = null!;
    private LlmCallTarget _target = null!;
    private RequestShape _shape;
    private BudgetWindow _window = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Environment = "benchmark";
            o.DefaultTags.Team = "search";
        }).AddSink(new DiscardSink()).AddBudget("team", o =>
        {
            o.Team = "search";
            o.Limit = 1_000_000m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        });
        _services = services.BuildServiceProvider();
        _recorder = _services.GetRequiredService<HttpCallTracker>();
        _guard = _recorder.Guardrails ?? throw new InvalidOperationException("No guardrails.");
        _estimator = _services.GetRequiredService<LlmCostEstimator>();
        _store = _guard.Store;
        _defaults = _recorder.Attribution.WithDefaults(LlmCostTags.Empty);
        using var request = NewRequest();
        _target = _recorder.TryBegin(request, _defaults, providerOverride: null)!.Target;
        _shape = RequestShape.Read(Payloads.OpenAIRequest);
        _window = BudgetWindow.At(BudgetWindowKind.Day, TimeSpan.Zero, TimeZoneInfo.Utc, DateTimeOffset.UtcNow);
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    /// <summary>The request every call builds (a <see cref="ByteArrayContent"/> of the ~220-byte chat body).</summary>
    [Benchmark(Baseline = true)]
    public bool Request()
    {
        using var request = NewRequest();
        return request.Content is not null;
    }

    /// <summary>Reading the body as the pre-flight did before: buffer the content, then copy it out to an array.</summary>
    [Benchmark]
    public async Task<int> ReadBody_BufferAndCopy()
    {
        using var request = NewRequest();
        await request.Content!.LoadIntoBufferAsync().ConfigureAwait(false);
        return (await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false)).Length;
    }

    /// <summary>Reading the body as the pre-flight does now: written once into a pooled buffer, the content left as it was.</summary>
    [Benchmark]
    public async Task<int> ReadBody_Pooled()
    {
        using var request = NewRequest();
        using var body = await RequestBody.ReadAsync(request.Content, CancellationToken.None).ConfigureAwait(false);
        return body.Memory.Length;
    }

    /// <summary>The model and max-tokens field, with <c>Utf8JsonReader</c>.</summary>
    [Benchmark]
    public long? ReadShape() => RequestShape.Read(Payloads.OpenAIRequest).MaxTokens;

    /// <summary>The worst case: input tokens (bytes / 3) and the default output tokens, priced from the table.</summary>
    [Benchmark]
    public decimal? Estimate() => _estimator.Estimate(_target, Payloads.OpenAIRequest, _shape, Payloads.OpenAIModel).Cost;

    /// <summary>One reservation in the in-memory store and its settlement (what the pump does when the record is made).</summary>
    [Benchmark]
    public async Task<bool> ReserveAndSettle()
    {
        var now = DateTimeOffset.UtcNow;
        var id = Guid.CreateVersion7(now).ToString("N");
        var totals = await _store.ReserveAsync(new BudgetReservation
        {
            ScopeKey = "team",
            Buckets = _window.Buckets,
            Id = id,
            Cost = 0.04m,
            Tokens = 4_100,
            CostLimit = 1_000_000m,
            Now = now,
            ExpiresAt = now.AddMinutes(10),
        }).ConfigureAwait(false);
        await _store.SettleAsync(new BudgetSettlement { ScopeKey = "team", Id = id, Buckets = _window.Buckets, AddTo = _window.CurrentOnly, Cost = 0.001m, Tokens = 100, Now = now })
            .ConfigureAwait(false);
        return totals.Granted;
    }

    /// <summary>The whole pre-flight of a tracked call (begin, read, shape, estimate, reserve), the release of its reservation, and the end of the call without a record.</summary>
    [Benchmark]
    public async Task<bool> Preflight()
    {
        using var request = NewRequest();
        var call = _recorder.TryBegin(request, _defaults, providerOverride: null)!;
        await _guard.PreflightAsync(request, call, CancellationToken.None).ConfigureAwait(false);
        var reserved = call.Settlement is not null;
        (call.Settlement as BudgetLease)?.Complete();

        // Ends the call without a record, as a call that is never sent: otherwise each one would wait for its finalizer
        // (and be recorded as abandoned), which a real call never does.
        call.Discard(NotSent);
        return reserved;
    }

    private static HttpRequestMessage NewRequest()
    {
        var content = new ByteArrayContent(Payloads.OpenAIRequest);
        content.Headers.ContentType = Json;
        return new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
    }
}
