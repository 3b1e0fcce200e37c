using BenchmarkDotNet.Running;

namespace LlmCost.Sdk.Benchmarks;

public static class Program
{
    // dotnet run -c Release -- --filter '*' --job short      (the BenchmarkDotNet suite)
    // dotnet run -c Release -- probe                         (the latency-distribution probe, see LatencyProbe)
    // dotnet run -c Release -- alloc                         (bytes on the caller's thread per call, see CallerPathAllocationProbe)
    // dotnet run -c Release -- cpu                           (CPU time of the caller's thread per call; holds under load)
    // dotnet run -c Release -- cpu otel                      (the same with OpenTelemetry on: HttpClient tracing alone vs plus the SDK's)
    // dotnet run -c Release -- guardrail-cpu                 (what budgets add: thread and process CPU, bytes, async hops; see GuardrailCpuProbe)
    // dotnet run -c Release -- alloc types                   (the same bytes by type, sampled from allocation ticks)
    // dotnet run -c Release -- alloc all                     (bytes per call on every thread: the caller's path, the pump and the sink)
    // dotnet run -c Release -- alloc types all               (the same by type)
    public static void Main(string[] args)
    {
        if (args is ["probe"])
        {
            LatencyProbe.Run();
            return;
        }

        if (args is ["guardrail-cpu"])
        {
            GuardrailCpuProbe.Run();
            return;
        }

        if (args is ["alloc", "types", "all"])
        {
            CallerPathAllocationProbe.RunByType(allThreads: true);
            return;
        }

        if (args is ["alloc", "all"])
        {
            CallerPathAllocationProbe.RunAllThreads();
            return;
        }

        if (args is ["alloc", "types"])
        {
            CallerPathAllocationProbe.RunByType();
            return;
        }

        if (args is ["cpu", "tracked", var count])
        {
            CallerPathAllocationProbe.RunTrackedOnly(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        if (args is ["cpu", "otel", "tracked", var otelCount])
        {
            CallerPathAllocationProbe.RunCpuOpenTelemetry(int.Parse(otelCount, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        if (args is ["cpu", "otel"])
        {
            CallerPathAllocationProbe.RunCpuOpenTelemetry();
            return;
        }

        if (args is ["cpu"])
        {
            CallerPathAllocationProbe.RunCpu();
            return;
        }

        if (args is ["alloc"])
        {
            CallerPathAllocationProbe.Run();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
