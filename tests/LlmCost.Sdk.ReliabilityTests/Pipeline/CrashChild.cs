using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.ReliabilityTests.Pipeline;

/// <summary>
/// The child process of <see cref="CrashTests"/>: tracks numbered records into a JSON Lines sink with a disk spool until
/// it is killed, printing the number of the last record tracked after every 20.
/// </summary>
internal static class CrashChild
{
    public static readonly TimeSpan BatchDelay = TimeSpan.FromMilliseconds(200);

    public static int Run(string[] args)
    {
        var (spool, file) = (args[0], args[1]);
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
            {
                o.Pipeline.BatchDelay = BatchDelay;
                o.Sinks.RetryDelay = TimeSpan.FromMilliseconds(50);
                o.Sinks.MaxRetries = 1;
            })
            .AddJsonLinesSink(file)
            .AddDiskSpool(spool);
        var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ILlmCostTracker>();
        var output = Console.Out;
        for (var n = 0; ; n++)
        {
            if (!tracker.Track(Records.Create(n)))
            {
                output.WriteLine("dropped " + n.ToString(CultureInfo.InvariantCulture));
            }

            if (n % 20 == 19)
            {
                output.WriteLine(n.ToString(CultureInfo.InvariantCulture));
                output.Flush();
                Thread.Sleep(1);
            }
        }
    }
}
