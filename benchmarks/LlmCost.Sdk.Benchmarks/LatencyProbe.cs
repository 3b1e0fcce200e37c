using System.Diagnostics;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet benchmark: a quick latency-distribution probe (p50/p90/p99 per call, GC counts and pause time,
/// thread-pool work items) for the tracked and untracked handler and the SDK observation path, to tell steady cost from
/// tail cost (GC of queued records, pump wake-ups, noisy neighbours). Run: <c>dotnet run -c Release -- probe</c>.
/// </summary>
public static class LatencyProbe
{
    public static void Run()
    {
        var b = new HandlerBreakdownBenchmarks();
        b.Setup();
        var f = new HandlerBreakdownBenchmarks();
        f.SetupFullQueue();
        var h = new HandlerOverheadBenchmarks { Response = HandlerOverheadBenchmarks.ResponseKind.Json };
        h.SetupTracked();
        var n = new HandlerOverheadBenchmarks { Response = HandlerOverheadBenchmarks.ResponseKind.Json };
        n.SetupNoOp();
        for (var round = 0; round < 3; round++)
        {
            Measure("WholeObservation", () => b.WholeObservation());
            Measure("ReadResponseUsage", () => b.ReadResponseUsage());
            Measure("WholeObs QueueFull", () => f.WholeObservation_QueueFull());
            Measure("Handler tracked", () => h.CostTrackingHandler().GetAwaiter().GetResult());
            Measure("Handler noop", () => n.NoOpHandler().GetAwaiter().GetResult());
        }
    }

    private static void Measure(string name, Action a)
    {
        const int N = 200_000;
        var t = new long[N];
        var gc0 = GC.CollectionCount(0); var gc1 = GC.CollectionCount(1); var gc2 = GC.CollectionCount(2);
        var pauseBefore = GC.GetTotalPauseDuration();
        var wi = ThreadPool.CompletedWorkItemCount;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < N; i++)
        {
            var s = Stopwatch.GetTimestamp();
            a();
            t[i] = Stopwatch.GetTimestamp() - s;
        }
        var total = Stopwatch.GetElapsedTime(start);
        Array.Sort(t);
        double Ns(long ticks) => ticks * 1e9 / Stopwatch.Frequency;
        Console.WriteLine($"{name,-20} mean={total.TotalNanoseconds / N,8:F0} p50={Ns(t[N / 2]),7:F0} p90={Ns(t[N * 9 / 10]),7:F0} p99={Ns(t[N * 99 / 100]),8:F0} p99.9={Ns(t[N * 999 / 1000]),9:F0} max={Ns(t[^1]),10:F0} ns  gc0={GC.CollectionCount(0) - gc0} gc1={GC.CollectionCount(1) - gc1} gc2={GC.CollectionCount(2) - gc2} gcPause={(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:F1}ms workItems={ThreadPool.CompletedWorkItemCount - wi}");
    }
}
