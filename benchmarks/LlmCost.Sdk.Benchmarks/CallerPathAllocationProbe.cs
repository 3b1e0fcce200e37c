using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet benchmark: the bytes the caller's thread allocates per call, which BenchmarkDotNet's
/// <c>Allocated</c> column cannot tell apart from the pump's (it counts every thread). The transport is the in-memory
/// <see cref="CannedResponseHandler"/>, so a call completes synchronously on the calling thread and
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> sees exactly the caller's path; the record is built and priced on
/// the pump's thread and is not counted. Run: <c>dotnet run -c Release -- alloc</c>.
/// </summary>
public static class CallerPathAllocationProbe
{
    private static readonly Uri Endpoint = new("https://api.openai.com/v1/chat/completions");

    public static void Run()
    {
        var body = Payloads.OpenAIChatCompletion(contentBytes: 400);
        using var noOp = new HttpClient(new PassThroughHandler(new CannedResponseHandler(body, null)));
        var sink = new DiscardSink();
        using var services = BenchmarkServices.Create(sink);
        var handler = services.GetRequiredService<ILlmCostTracker>().CreateHandler();
        handler.InnerHandler = new CannedResponseHandler(body, null);
        using var tracked = new HttpClient(handler);

        for (var round = 0; round < 3; round++)
        {
            var baseline = Measure(noOp);
            var withTracking = Measure(tracked);
            Console.WriteLine($"caller thread, per non-streaming call: no-op handler {baseline} B, tracking handler {withTracking} B, added {withTracking - baseline} B");
        }

        BenchmarkServices.PrintStatistics(services, sink);
    }

    private static long Measure(HttpClient client)
    {
        const int Calls = 20_000;
        for (var i = 0; i < 1_000; i++)
        {
            Send(client);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
        {
            Send(client);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
    }

    private static void Send(HttpClient client)
    {
        var content = new ByteArrayContent(Payloads.OpenAIRequest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        var task = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!task.IsCompleted)
        {
            throw new InvalidOperationException("The in-memory call did not complete synchronously: the caller-thread count would be wrong.");
        }

        using var response = task.Result;
        using var stream = response.Content.ReadAsStream();
        Span<byte> buffer = stackalloc byte[4096];
        while (stream.Read(buffer) > 0)
        {
        }
    }
}
