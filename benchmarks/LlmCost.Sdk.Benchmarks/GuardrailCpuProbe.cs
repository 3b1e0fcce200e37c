using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet benchmark: what one matching budget adds to a tracked call, in figures that hold on a loaded
/// machine. For each client (no budgets; five budgets none matching; one matching hard cap in memory; one matching
/// warn-only budget) it reports, per call: the caller thread's CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>: time spent
/// waiting for a core is not counted), the whole process's CPU time (every thread: the pump's settlement included), the
/// bytes the caller's thread allocated, and how many calls did not complete synchronously on the caller's thread (an
/// asynchronous hop). Medians of alternating rounds. Run: <c>dotnet run -c Release -- guardrail-cpu</c>.
/// </summary>
public static class GuardrailCpuProbe
{
    private static readonly Uri Endpoint = new("https://api.openai.com/v1/chat/completions");

    public static void Run()
    {
        var body = Payloads.OpenAIChatCompletion(contentBytes: 400);
        var services = new List<ServiceProvider>();
        static void FiveNotMatching(LlmCostTrackingBuilder b)
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
        }

        static void HardCap(LlmCostTrackingBuilder b) => b.AddBudget("team", o =>
        {
            o.Team = "search";
            o.Limit = 1_000_000m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        });

        var clients = new (string Name, HttpClient Client)[]
        {
            ("no budgets", Client(services, body, _ => { })),
            ("five budgets, none matching", Client(services, body, FiveNotMatching)),
            ("one matching hard cap (in memory)", Client(services, body, HardCap)),
            ("one matching warn-only budget", Client(services, body, b => b.AddBudget("team", o =>
            {
                o.Team = "search";
                o.Limit = 1_000_000m;
            }))),

            // IHttpClientFactory clients with an app handler before the cost handler: budgets put the guard handler first.
            ("factory client, handler before cost handler: no budgets", FactoryClient(services, body, _ => { })),
            ("factory client, ...: five budgets, none matching (guard handler)", FactoryClient(services, body, FiveNotMatching)),
            ("factory client, ...: one matching hard cap (guard handler)", FactoryClient(services, body, HardCap)),
        };

        const int Rounds = 5;
        var results = clients.Select(_ => new List<Sample>()).ToArray();
        for (var round = 0; round < Rounds; round++)
        {
            for (var c = 0; c < clients.Length; c++)
            {
                results[c].Add(Measure(clients[c].Client));
            }
        }

        Console.WriteLine($"per call, median of {Rounds} alternating rounds of 50,000 calls (load average {LoadAverage()}):");
        Console.WriteLine("| client | caller-thread CPU | process CPU (all threads) | caller-thread bytes | calls not completed synchronously |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        for (var c = 0; c < clients.Length; c++)
        {
            var r = results[c];
            static double Median(IEnumerable<double> values) => values.Order().ElementAt(Rounds / 2);
            Console.WriteLine(
                $"| {clients[c].Name} | {Median(r.Select(s => s.ThreadNs)):0} ns | {Median(r.Select(s => s.ProcessNs)):0} ns | {Median(r.Select(s => s.Bytes)):0} B | {r.Sum(s => s.Asynchronous)} |");
        }

        foreach (var provider in services)
        {
            provider.Dispose();
        }
    }

    private static HttpClient Client(List<ServiceProvider> services, byte[] body, Action<LlmCostTrackingBuilder> budgets)
    {
        var collection = new ServiceCollection();
        var builder = collection.AddLlmCostTracking(o =>
        {
            o.Environment = "benchmark";
            o.DefaultTags.Team = "search";
        }).AddSink(new DiscardSink());
        budgets(builder);
        var provider = collection.BuildServiceProvider();
        services.Add(provider);
        var handler = provider.GetRequiredService<ILlmCostTracker>().CreateHandler();
        handler.InnerHandler = new CannedResponseHandler(body, null);
        return new HttpClient(handler);
    }

    private static HttpClient FactoryClient(List<ServiceProvider> services, byte[] body, Action<LlmCostTrackingBuilder> budgets)
    {
        var collection = new ServiceCollection();
        var builder = collection.AddLlmCostTracking(o =>
        {
            o.Environment = "benchmark";
            o.DefaultTags.Team = "search";
        }).AddSink(new DiscardSink());
        budgets(builder);
        collection.AddHttpClient("llm", c => c.BaseAddress = Endpoint)
            .AddHttpMessageHandler(() => new AppHandler())
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => new CannedResponseHandler(body, null));
        var provider = collection.BuildServiceProvider();
        services.Add(provider);
        return provider.GetRequiredService<IHttpClientFactory>().CreateClient("llm");
    }

    /// <summary>An application's handler (a retry or resilience handler would be here), passing calls through.</summary>
    private sealed class AppHandler : DelegatingHandler;

    private static Sample Measure(HttpClient client)
    {
        const int Calls = 50_000;
        for (var i = 0; i < 2_000; i++)
        {
            Send(client);
        }

        var asynchronous = 0;
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var process = Process.GetCurrentProcess().TotalProcessorTime;
        var thread = ThreadCpuNanoseconds();
        for (var i = 0; i < Calls; i++)
        {
            asynchronous += Send(client) ? 0 : 1;
        }

        var threadNs = ThreadCpuNanoseconds() - thread;
        var processNs = (Process.GetCurrentProcess().TotalProcessorTime - process).Ticks * 100.0;
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        return new Sample(threadNs / (double)Calls, processNs / Calls, bytes / (double)Calls, asynchronous);
    }

    /// <summary>Sends one call and reads its body; returns whether it completed synchronously on this thread.</summary>
    private static bool Send(HttpClient client)
    {
        var content = new ByteArrayContent(Payloads.OpenAIRequest);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
        var task = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var synchronous = task.IsCompleted;
        using var response = task.GetAwaiter().GetResult();
        using var stream = response.Content.ReadAsStream();
        Span<byte> buffer = stackalloc byte[4096];
        while (stream.Read(buffer) > 0)
        {
        }

        return synchronous;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static long ThreadCpuNanoseconds()
    {
        const int ClockThreadCpuTimeId = 3;
        return ClockGetTime(ClockThreadCpuTimeId, out var ts) == 0 ? (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds : throw new InvalidOperationException("clock_gettime failed");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private readonly record struct Sample(double ThreadNs, double ProcessNs, double Bytes, int Asynchronous);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
