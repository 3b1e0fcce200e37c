using BenchmarkDotNet.Running;

namespace LlmCost.Sdk.Benchmarks;

public static class Program
{
    // dotnet run -c Release -- --filter '*' --job short      (the BenchmarkDotNet suite)
    // dotnet run -c Release -- probe                         (the latency-distribution probe, see LatencyProbe)
    public static void Main(string[] args)
    {
        if (args is ["probe"])
        {
            LatencyProbe.Run();
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
