using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Per-call overhead of <see cref="CostTrackingHandler"/> beside its peers, in one BenchmarkDotNet run. One operation =
/// one POST to <c>api.openai.com/v1/chat/completions</c> (1 KiB JSON request), sent with
/// <see cref="HttpCompletionOption.ResponseHeadersRead"/>, the whole body read with a pooled 16 KiB buffer, then disposed.
/// Every variant uses the real transport (<see cref="SocketsHttpHandler"/>) over an in-memory HTTP/1.1 connection
/// (<see cref="InMemoryHttpConnection"/>), so .NET's own HTTP diagnostics run as in production:
/// <list type="bullet">
/// <item><c>PlainHttpClient</c> (baseline): nothing added.</item>
/// <item><c>NoOpHandler</c>: a <see cref="DelegatingHandler"/> that does nothing (the price of one more handler).</item>
/// <item><c>OpenTelemetryHttpClient</c>: OpenTelemetry's HttpClient instrumentation, traces (always sampled, a processor that
/// drops) and metrics (a reader that exports once a minute).</item>
/// <item><c>CostTrackingHandler</c>: this SDK's handler (DI-built pipeline, one sink that discards), nobody listening.</item>
/// <item><c>CostTrackingHandler_OpenTelemetry</c>: the same with OpenTelemetry on: HttpClient instrumentation plus the SDK's
/// own span and metrics (<c>AddLlmCostInstrumentation</c>). Compare it with <c>OpenTelemetryHttpClient</c>.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class HandlerOverheadBenchmarks
{
    private static readonly Uri Endpoint = new("http://api.openai.com/v1/chat/completions");
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private ServiceProvider? _services;
    private DiscardSink? _sink;
    private TracerProvider? _tracerProvider;
    private MeterProvider? _meterProvider;
    private HttpClient _client = null!;

    public enum ResponseKind
    {
        /// <summary>A non-streaming chat completion (~1 KiB) with usage.</summary>
        Json,

        /// <summary>An SSE stream of 10 chat chunks (last with usage) plus [DONE], one event per read.</summary>
        Sse10,
    }

    [Params(ResponseKind.Json, ResponseKind.Sse10)]
    public ResponseKind Response { get; set; }

    [GlobalSetup(Target = nameof(PlainHttpClient))]
    public void SetupPlain() => _client = new HttpClient(Transport());

    [GlobalSetup(Target = nameof(NoOpHandler))]
    public void SetupNoOp() => _client = new HttpClient(new PassThroughHandler(Transport()));

    [GlobalSetup(Target = nameof(OpenTelemetryHttpClient))]
    public void SetupOpenTelemetry()
    {
        StartOpenTelemetry(withLlmCost: false);
        _client = new HttpClient(Transport());
    }

    [GlobalSetup(Target = nameof(CostTrackingHandler))]
    public void SetupTracked() => SetupTrackedCore();

    [GlobalSetup(Target = nameof(CostTrackingHandler_OpenTelemetry))]
    public void SetupTrackedOpenTelemetry()
    {
        StartOpenTelemetry(withLlmCost: true);
        SetupTrackedCore();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_services is not null)
        {
            BenchmarkServices.PrintStatistics(_services, _sink!);
            _services.Dispose();
        }

        _client.Dispose();
        _tracerProvider?.Dispose();
        _meterProvider?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<long> PlainHttpClient() => SendAndReadAsync(_client);

    [Benchmark]
    public Task<long> NoOpHandler() => SendAndReadAsync(_client);

    [Benchmark]
    public Task<long> OpenTelemetryHttpClient() => SendAndReadAsync(_client);

    [Benchmark]
    public Task<long> CostTrackingHandler() => SendAndReadAsync(_client);

    [Benchmark]
    public Task<long> CostTrackingHandler_OpenTelemetry() => SendAndReadAsync(_client);

    private void SetupTrackedCore()
    {
        _sink = new DiscardSink();
        _services = BenchmarkServices.Create(_sink);
        var handler = _services.GetRequiredService<ILlmCostTracker>().CreateHandler();
        handler.InnerHandler = Transport();
        _client = new HttpClient(handler);
        SendAndReadAsync(_client).GetAwaiter().GetResult();
        BenchmarkServices.CheckLastRecord(_services, _sink, r => r.RequestModel == "gpt-4o" && r.Model == Payloads.OpenAIModel);
    }

    private void StartOpenTelemetry(bool withLlmCost)
    {
        var tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder().SetSampler(new AlwaysOnSampler()).AddHttpClientInstrumentation().AddProcessor(new DropProcessor());
        var metrics = OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddHttpClientInstrumentation()
            .AddReader(new PeriodicExportingMetricReader(new DropExporter(), exportIntervalMilliseconds: 60_000));
        if (withLlmCost)
        {
            tracing.AddLlmCostInstrumentation();
            metrics.AddLlmCostInstrumentation();
        }

        _tracerProvider = tracing.Build();
        _meterProvider = metrics.Build();
    }

    private SocketsHttpHandler Transport()
    {
        byte[] body;
        int[]? eventEnds = null;
        if (Response == ResponseKind.Json)
        {
            body = Payloads.OpenAIChatCompletion(contentBytes: 400);
        }
        else
        {
            body = Payloads.OpenAIChatStream(10, out eventEnds);
        }

        var (response, readEnds) = InMemoryHttpConnection.Build(body, eventEnds);
        return new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectCallback = (_, _) => ValueTask.FromResult<Stream>(new InMemoryHttpConnection(response, readEnds)),
        };
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

    /// <summary>Ends spans without exporting them: the instrumentation's cost, not an exporter's.</summary>
    internal sealed class DropProcessor : BaseProcessor<Activity>
    {
    }

    /// <summary>Drops exported metrics.</summary>
    internal sealed class DropExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
