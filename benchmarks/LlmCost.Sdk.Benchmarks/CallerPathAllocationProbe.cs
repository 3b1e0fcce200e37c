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

    /// <summary>
    /// Where the caller's bytes go, by type: the runtime's allocation-tick events (one per ~100 KB allocated, naming the
    /// type that crossed the mark) sampled over many calls, for the tracked and the no-op client.
    /// </summary>
    public static void RunByType()
    {
        var body = Payloads.OpenAIChatCompletion(contentBytes: 400);
        using var noOp = new HttpClient(new PassThroughHandler(new CannedResponseHandler(body, null)));
        var sink = new DiscardSink();
        using var services = BenchmarkServices.Create(sink);
        var handler = services.GetRequiredService<ILlmCostTracker>().CreateHandler();
        handler.InnerHandler = new CannedResponseHandler(body, null);
        using var tracked = new HttpClient(handler);
        foreach (var (name, client) in new[] { ("no-op handler", noOp), ("tracking handler", tracked) })
        {
            for (var i = 0; i < 1_000; i++)
            {
                Send(client);
            }

            using var listener = new AllocationListener();
            const int Calls = 200_000;
            for (var i = 0; i < Calls; i++)
            {
                Send(client);
            }

            listener.Dispose();
            Console.WriteLine($"{name}: bytes per call by type (sampled):");
            foreach (var (type, bytes) in listener.ByType().OrderByDescending(p => p.Value))
            {
                Console.WriteLine($"  {bytes / (double)Calls,8:0.0} B  {type}");
            }
        }
    }

    private sealed class AllocationListener : System.Diagnostics.Tracing.EventListener
    {
        private readonly Dictionary<string, long> _bytes = new();
        private readonly long _osThread = OperatingSystem.IsLinux() ? GetTid() : 0; // the caller's thread only (0: every thread)

        public Dictionary<string, long> ByType()
        {
            lock (_bytes)
            {
                return new Dictionary<string, long>(_bytes);
            }
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
        private static extern int GetTid();

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
            }
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            if (e.EventName is not { } n || !n.StartsWith("GCAllocationTick", StringComparison.Ordinal) || (_osThread != 0 && e.OSThreadId != _osThread))
            {
                return;
            }

            var type = e.Payload?[e.PayloadNames!.IndexOf("TypeName")] as string ?? "?";
            var amount = Convert.ToInt64(e.Payload![e.PayloadNames!.IndexOf("AllocationAmount64")], System.Globalization.CultureInfo.InvariantCulture);
            lock (_bytes)
            {
                _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
            }
        }
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
