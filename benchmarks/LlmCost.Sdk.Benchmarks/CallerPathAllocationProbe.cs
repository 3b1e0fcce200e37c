using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

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
        using var probe = new Clients();
        var (noOp, tracked) = (probe.NoOp, probe.Tracked);

        for (var round = 0; round < 3; round++)
        {
            var baseline = Measure(noOp, null);
            var withTracking = Measure(tracked, probe.Settle);
            Console.WriteLine($"caller thread, per non-streaming call: no-op handler {baseline} B, tracking handler {withTracking} B, added {withTracking - baseline} B");
        }

        probe.PrintStatistics();
    }

    /// <summary>
    /// Bytes allocated per call by every thread (the caller's path, the pump building and pricing the record, the sink's
    /// worker): <see cref="GC.GetTotalAllocatedBytes"/> around 100,000 calls in rounds of 16, the pump let catch up between
    /// rounds and at the end (its flushes counted too). What BenchmarkDotNet's <c>Allocated</c> column shows, without a
    /// tight loop's saturation. Run: <c>dotnet run -c Release -- alloc all</c>.
    /// </summary>
    public static void RunAllThreads()
    {
        using var probe = new Clients();
        for (var round = 0; round < 3; round++)
        {
            var baseline = AllThreadsPerCall(probe.NoOp, null);
            var tracked = AllThreadsPerCall(probe.Tracked, probe.Settle);
            Console.WriteLine($"all threads, per non-streaming call: no-op handler {baseline:0} B, tracking handler {tracked:0} B, added {tracked - baseline:0} B");
        }

        probe.PrintStatistics();
    }

    private static double AllThreadsPerCall(HttpClient client, Action? settle) =>
        PerCall(client, settle, 2_000, 100_000, static () => GC.GetTotalAllocatedBytes(precise: true), countSettle: true);

    /// <summary>
    /// Where the caller's bytes go, by type: the runtime's allocation-tick events (one per ~100 KB allocated, naming the
    /// type that crossed the mark) sampled over many calls, for the tracked and the no-op client.
    /// </summary>
    public static void RunByType(bool allThreads = false)
    {
        using var probe = new Clients();
        var (noOp, tracked) = (probe.NoOp, probe.Tracked);
        foreach (var (name, client) in new[] { ("no-op handler", noOp), ("tracking handler", tracked) })
        {
            for (var i = 0; i < 1_000; i++)
            {
                Send(client);
            }

            using var listener = new AllocationListener(allThreads);
            const int Calls = 200_000;
            for (var i = 0; i < Calls; i++)
            {
                Send(client);
                if (allThreads && i % Round == 0 && ReferenceEquals(client, tracked))
                {
                    probe.Settle(); // the pump's and the sink's work, counted with the calls
                }
            }

            listener.Dispose();
            Console.WriteLine($"{name}: bytes per call by type (sampled):");
            foreach (var (type, bytes) in listener.ByType().OrderByDescending(p => p.Value))
            {
                Console.WriteLine($"  {bytes / (double)Calls,8:0.0} B  {type}");
            }
        }
    }

    /// <summary>
    /// CPU time the caller's thread spends per call (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>): unlike wall time, it does not
    /// count the time the thread waited for a core, so it holds on a busy machine. The pump's work is on its own thread
    /// and not counted (it is the off-path cost).
    /// </summary>
    public static void RunCpu()
    {
        using var probe = new Clients();
        var (noOp, tracked) = (probe.NoOp, probe.Tracked);
        var (a, b) = MedianCpuOfAlternatingRuns(noOp, tracked, probe.Settle, "no-op", "tracked");
        Console.WriteLine($"caller thread CPU per non-streaming call (median of 7 runs): no-op handler {a:0} ns, tracking handler {b:0} ns, added {b - a:0} ns");
        probe.PrintStatistics();
    }

    /// <summary>
    /// CPU time of the caller's thread per call with OpenTelemetry on (always sampled, spans dropped by the processor,
    /// metrics read once a minute): .NET's own HttpClient tracing and metrics (the runtime's diagnostics and metrics handlers
    /// over the in-memory transport, listened to by OpenTelemetry's HttpClient instrumentation) alone, against the same
    /// plus the tracking handler with its span and metrics listened to (<c>AddLlmCostInstrumentation</c>).
    /// Run: <c>dotnet run -c Release -- cpu otel</c>; a profiler: <c>cpu otel tracked N</c>.
    /// </summary>
    public static void RunCpuOpenTelemetry(int profileCalls = 0)
    {
        using var tracing = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .SetSampler(new OpenTelemetry.Trace.AlwaysOnSampler())
            .AddHttpClientInstrumentation()
            .AddLlmCostInstrumentation()
            .AddProcessor(new HandlerOverheadBenchmarks.DropProcessor())
            .Build();
        using var metrics = OpenTelemetry.Sdk.CreateMeterProviderBuilder()
            .AddHttpClientInstrumentation()
            .AddLlmCostInstrumentation()
            .AddReader(new OpenTelemetry.Metrics.PeriodicExportingMetricReader(new HandlerOverheadBenchmarks.DropExporter(), exportIntervalMilliseconds: 60_000))
            .Build();
        using var probe = new Clients(RuntimeDiagnostics);
        var (otel, tracked) = (probe.NoOp, probe.Tracked);
        if (profileCalls > 0)
        {
            for (var i = 0; i < profileCalls; i++)
            {
                Send(tracked);
                if (i % Round == 0)
                {
                    probe.Settle();
                }
            }

            probe.PrintStatistics();
            return;
        }

        var (a, b) = MedianCpuOfAlternatingRuns(otel, tracked, probe.Settle, "HttpClient tracing", "plus tracking");
        var bytesA = Measure(otel, null);
        var bytesB = Measure(tracked, probe.Settle);
        Console.WriteLine($"OpenTelemetry on, caller thread CPU per non-streaming call (median of 7 runs): HttpClient tracing alone {a:0} ns, plus tracking handler {b:0} ns, added {b - a:0} ns");
        Console.WriteLine($"  caller thread bytes per call: HttpClient tracing alone {bytesA} B, plus tracking handler {bytesB} B, added {bytesB - bytesA} B");
        probe.PrintStatistics();
    }

    /// <summary>
    /// The runtime's own HttpClient diagnostics over a canned response: its metrics handler (<c>http.client.*</c>) and its
    /// diagnostics handler (the <c>System.Net.Http</c> activity OpenTelemetry listens to), as <see cref="SocketsHttpHandler"/>
    /// chains them. Both are internal to System.Net.Http, so they are built by reflection; the call still completes on the
    /// calling thread.
    /// </summary>
    private static HttpMessageHandler RuntimeDiagnostics(HttpMessageHandler inner)
    {
        var assembly = typeof(HttpClient).Assembly;
        var handler = Create(assembly.GetType("System.Net.Http.Metrics.MetricsHandler", throwOnError: true)!, inner);
        return Create(assembly.GetType("System.Net.Http.DiagnosticsHandler", throwOnError: true)!, handler);

        static HttpMessageHandler Create(Type type, HttpMessageHandler inner)
        {
            var ctor = type.GetConstructors(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)[0];
            var args = ctor.GetParameters().Select(p =>
                p.ParameterType == typeof(HttpMessageHandler) ? inner
                : p.ParameterType == typeof(System.Diagnostics.DistributedContextPropagator) ? System.Diagnostics.DistributedContextPropagator.Current
                : p.HasDefaultValue ? p.DefaultValue
                : p.ParameterType.IsByRef || !p.ParameterType.IsValueType ? null
                : Activator.CreateInstance(p.ParameterType)).ToArray();
            return (HttpMessageHandler)ctor.Invoke(args);
        }
    }

    /// <summary>Runs tracked calls only, for a profiler (<c>perf record</c> with <c>DOTNET_PerfMapEnabled=1</c>).</summary>
    public static void RunTrackedOnly(int calls)
    {
        using var probe = new Clients();
        var tracked = probe.Tracked;
        for (var i = 0; i < calls; i++)
        {
            Send(tracked);
            if (i % Round == 0)
            {
                probe.Settle();
            }
        }

        probe.PrintStatistics();
    }

    /// <summary>
    /// Calls in rounds of <see cref="Round"/>, measuring the caller's CPU around each round only; between rounds the pump
    /// is let catch up (<paramref name="settle"/>, not measured), as it does between real LLM calls, which last 100 ms and
    /// more: a loop of back-to-back calls would otherwise keep the pump behind, and the handler then scans on the
    /// caller's path (by design: the pipeline is then backlogged).
    /// </summary>
    /// <summary>
    /// Seven alternating runs of <paramref name="baseline"/> and <paramref name="tracked"/> (the tracked client's pump let
    /// catch up between rounds), each run's CPU per call printed; returns the medians, which a run the scheduler disturbed
    /// (cache, frequency) does not move.
    /// </summary>
    private static (double Baseline, double Tracked) MedianCpuOfAlternatingRuns(HttpClient baseline, HttpClient tracked, Action settle, string baselineName, string trackedName)
    {
        var baselineRuns = new List<double>();
        var trackedRuns = new List<double>();
        for (var round = 0; round < 7; round++)
        {
            baselineRuns.Add(CpuPerCall(baseline, null));
            trackedRuns.Add(CpuPerCall(tracked, settle));
        }

        static string List(List<double> runs) => string.Join(", ", runs.Select(x => x.ToString("0", System.Globalization.CultureInfo.InvariantCulture)));
        Console.WriteLine($"  runs {baselineName}: {List(baselineRuns)}");
        Console.WriteLine($"  runs {trackedName}: {List(trackedRuns)}");
        return (baselineRuns.Order().ElementAt(3), trackedRuns.Order().ElementAt(3));
    }

    private static double CpuPerCall(HttpClient client, Action? settle) => PerCall(client, settle, 2_000, 100_000, ThreadCpuNanoseconds);

    /// <summary>
    /// Warms up, then calls in rounds of <see cref="Round"/> and adds up what <paramref name="meter"/> moves by around each
    /// round only (the settling between rounds is not counted).
    /// </summary>
    /// <param name="countSettle">Whether the settling after each round is measured too (every thread's bytes: the pump's
    /// and the sink's work for the round), rather than before the next round, unmeasured.</param>
    private static double PerCall(HttpClient client, Action? settle, int warmup, int calls, Func<long> meter, bool countSettle = false)
    {
        for (var i = 0; i < warmup; i++)
        {
            Send(client);
            if (i % Round == 0)
            {
                settle?.Invoke();
            }
        }

        long total = 0;
        for (var done = 0; done < calls; done += Round)
        {
            if (!countSettle)
            {
                settle?.Invoke();
            }

            var before = meter();
            for (var i = 0; i < Round; i++)
            {
                Send(client);
            }

            if (countSettle)
            {
                settle?.Invoke();
            }

            total += meter() - before;
        }

        return total / (double)calls;
    }

    /// <summary>Calls per measured round (fewer than the pipeline's backlog depth).</summary>
    private const int Round = 16;

    private static long ThreadCpuNanoseconds()
    {
        const int ClockThreadCpuTimeId = 3;
        return ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0 ? (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds : throw new InvalidOperationException("clock_gettime failed");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>The two clients every probe compares: a no-op handler and the tracking handler, over the same canned response.</summary>
    private sealed class Clients : IDisposable
    {
        private readonly DiscardSink _sink = new();
        private readonly ServiceProvider _services;

        public Clients(Func<HttpMessageHandler, HttpMessageHandler>? transport = null)
        {
            var body = Payloads.OpenAIChatCompletion(contentBytes: 400);
            transport ??= static inner => inner;
            NoOp = new HttpClient(new PassThroughHandler(transport(new CannedResponseHandler(body, null))));
            _services = BenchmarkServices.Create(_sink);
            var handler = _services.GetRequiredService<ILlmCostTracker>().CreateHandler();
            handler.InnerHandler = transport(new CannedResponseHandler(body, null));
            Tracked = new HttpClient(handler);
        }

        public HttpClient NoOp { get; }

        public HttpClient Tracked { get; }

        public void PrintStatistics() => BenchmarkServices.PrintStatistics(_services, _sink);

        /// <summary>Waits (blocked, not spinning) until the pump has written every call so far.</summary>
        public void Settle() => _services.GetRequiredService<ILlmCostTracker>().FlushAsync().GetAwaiter().GetResult();

        public void Dispose()
        {
            NoOp.Dispose();
            Tracked.Dispose();
            _services.Dispose();
        }
    }

    private sealed class AllocationListener : System.Diagnostics.Tracing.EventListener
    {
        private readonly Dictionary<string, long> _bytes = new();
        private readonly long _osThread;

        public AllocationListener(bool allThreads = false) =>
            _osThread = !allThreads && OperatingSystem.IsLinux() ? GetTid() : 0; // the caller's thread only (0: every thread)

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

    private static long Measure(HttpClient client, Action? settle) =>
        (long)PerCall(client, settle, 1_000, 20_000, GC.GetAllocatedBytesForCurrentThread);

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
