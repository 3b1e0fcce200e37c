using System.Buffers;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Per-call overhead of <see cref="CostTrackingHandler"/> against a no-op <see cref="DelegatingHandler"/>, both in front
/// of an in-memory terminal handler. One operation = one POST to api.openai.com/v1/chat/completions, sent with
/// <see cref="HttpCompletionOption.ResponseHeadersRead"/>, the whole body read with a pooled 16 KiB buffer, then disposed.
/// The tracked variant runs the real pipeline (DI-built, one sink that discards), so the record is built, priced and queued.
/// </summary>
[MemoryDiagnoser]
public class HandlerOverheadBenchmarks
{
    private static readonly Uri Endpoint = new("https://api.openai.com/v1/chat/completions");
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private ServiceProvider? _services;
    private DiscardSink? _sink;
    private HttpClient _baseline = null!;
    private HttpClient _tracked = null!;

    public enum ResponseKind
    {
        /// <summary>A non-streaming chat completion (~1 KiB) with usage.</summary>
        Json,

        /// <summary>An SSE stream of 10 chat chunks (last with usage) plus [DONE], one event per read.</summary>
        Sse10,

        /// <summary>An SSE stream of 2,000 chat chunks (last with usage) plus [DONE], one event per read.</summary>
        Sse2000,
    }

    [Params(ResponseKind.Json, ResponseKind.Sse10, ResponseKind.Sse2000)]
    public ResponseKind Response { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] body;
        int[]? eventEnds = null;
        switch (Response)
        {
            case ResponseKind.Json:
                body = Payloads.OpenAIChatCompletion(contentBytes: 400);
                break;
            case ResponseKind.Sse10:
                body = Payloads.OpenAIChatStream(10, out eventEnds);
                break;
            default:
                body = Payloads.OpenAIChatStream(2000, out eventEnds);
                break;
        }

        _baseline = new HttpClient(new PassThroughHandler(new CannedResponseHandler(body, eventEnds)));

        _sink = new DiscardSink();
        _services = BenchmarkServices.Create(_sink);
        var handler = _services.GetRequiredService<ILlmCostTracker>().CreateHandler();
        handler.InnerHandler = new CannedResponseHandler(body, eventEnds);
        _tracked = new HttpClient(handler);

        SendAndReadAsync(_tracked).GetAwaiter().GetResult();
        BenchmarkServices.CheckLastRecord(_services, _sink, r => r.RequestModel == "gpt-4o" && r.Model == Payloads.OpenAIModel);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        BenchmarkServices.PrintStatistics(_services!, _sink!);
        _baseline.Dispose();
        _tracked.Dispose();
        _services!.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<long> NoOpHandler() => SendAndReadAsync(_baseline);

    [Benchmark]
    public Task<long> CostTrackingHandler() => SendAndReadAsync(_tracked);

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
