using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LlmCost.Sdk.ReliabilityTests.Pipeline;

/// <summary>kill -9 with the disk spool: a sink outage, a recovery, a SIGKILL mid-stream, a restart.</summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Records.NewFolder();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Sigkill_WithDiskSpool_RestartLosesAtMostTheRecordsNotYetPumpedAndDuplicatesNone()
    {
        var spool = Path.Combine(_folder, "spool");
        var file = Path.Combine(_folder, "costs.jsonl");
        var last = -1;
        var lastSeen = new TaskCompletionSource();
        var target = 0;

        // The sink is down at first: the test holds the JSON Lines writer lock, so every write of the child fails.
        var outage = new FileStream(file + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("crash-child");
        start.ArgumentList.Add(spool);
        start.ArgumentList.Add(file);
        using var child = new Process { StartInfo = start };
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                Volatile.Write(ref last, n);
                if (n >= Volatile.Read(ref target))
                {
                    lastSeen.TrySetResult();
                }
            }
        };
        Assert.True(child.Start());
        child.BeginOutputReadLine();
        try
        {
            await WaitFor(3_000);
            Assert.False(File.Exists(file) && new FileInfo(file).Length > 0); // nothing written during the outage
            await outage.DisposeAsync(); // the sink recovers: the child replays the spool, then writes live
            await WaitFor(Volatile.Read(ref last) + 5_000);
        }
        finally
        {
            child.Kill(); // SIGKILL on Unix
            await child.WaitForExitAsync();
            await outage.DisposeAsync();
        }

        var tracked = Volatile.Read(ref last) + 1; // at least this many records were handed to Track

        // Restart on the same spool and file: what the child pumped but did not deliver is replayed.
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddJsonLinesSink(file).AddDiskSpool(spool);
        await using (var provider = services.BuildServiceProvider())
        {
            var tracker = provider.GetRequiredService<ILlmCostTracker>();
            await tracker.FlushAsync();
            await Records.Eventually(() => Directory.GetFiles(Path.Combine(spool, "batches")).Length == 0, 30_000);
        }

        var numbers = File.ReadAllLines(file).Select(l => int.Parse(System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("tags").GetProperty("n").GetString()!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(numbers.Count, numbers.Distinct().Count()); // no record twice
        Assert.Equal(Enumerable.Range(0, numbers.Count), numbers); // in order, no gap: what is lost is the tail not yet pumped
        var lost = Math.Max(0, tracked - numbers.Count);
        output.WriteLine($"tracked >= {tracked}, written {numbers.Count}, lost {lost} (batch delay {CrashChild.BatchDelay.TotalMilliseconds} ms)");
        Assert.True(numbers.Count >= 3_000);

        async Task WaitFor(int n)
        {
            Volatile.Write(ref target, n);
            lastSeen = new TaskCompletionSource();
            if (Volatile.Read(ref last) >= n)
            {
                return;
            }

            await lastSeen.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }
}
