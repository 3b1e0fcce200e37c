using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LlmCost.Sdk.ReliabilityTests.Pipeline;

/// <summary>
/// A CI-sized soak: rounds of tracked calls (JSON and streamed, through a sink that fails now and then) with the heap
/// and the thread count measured after each. Set <c>LLMCOST_SOAK_ROUNDS</c> for a longer run.
/// </summary>
public class SoakTests(ITestOutputHelper output)
{
    private sealed class CountingSink : ICostSink
    {
        private long _records;
        private int _calls;

        public long Records => Interlocked.Read(ref _records);

        public Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) % 7 == 0)
            {
                throw new IOException("a failure now and then: retried");
            }

            Interlocked.Add(ref _records, records.Count);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Soak_RoundsOfCalls_HeapAndThreadCountStayFlatAndNothingIsLost()
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("LLMCOST_SOAK_ROUNDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 6;
        const int CallsPerRound = 10_000;
        var sink = new CountingSink();
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => { o.Sinks.RetryDelay = TimeSpan.FromMilliseconds(1); o.Pipeline.BatchDelay = TimeSpan.FromMilliseconds(20); }).AddSink(sink);
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ILlmCostTracker>();
        var handler = tracker.CreateHandler();
        handler.InnerHandler = new ChatHandler();
        using var client = new HttpClient(handler);
        var stream = TrackedCalls.Payload("openai-chat-stream.sse");
        var streaming = new ChatHandler(stream, "text/event-stream");
        var streamHandler = tracker.CreateHandler();
        streamHandler.InnerHandler = streaming;
        using var streamClient = new HttpClient(streamHandler);

        var heap = new List<long>();
        var threads = new List<int>();
        var sdkThreads = new List<int>();
        for (var round = 0; round < rounds; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; i < CallsPerRound / 8; i++)
                {
                    var c = i % 4 == 0 ? streamClient : client;
                    using var request = ChatHandler.OpenAIRequest(stream: i % 4 == 0);
                    using var response = await c.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                    await using var body = await response.Content.ReadAsStreamAsync();
                    await body.CopyToAsync(Stream.Null);
                }
            })));
            await tracker.FlushAsync();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            heap.Add(GC.GetTotalMemory(forceFullCollection: true));
            var (others, sdk) = CountThreads();
            threads.Add(others);
            sdkThreads.Add(sdk);
        }

        output.WriteLine($"{rounds} rounds of {CallsPerRound} calls; heap after each (KiB): {string.Join(", ", heap.Select(h => h / 1024))}; threads other than the thread pool's: {string.Join(", ", threads)}; the SDK's own: {string.Join(", ", sdkThreads)}");
        var stats = tracker.Statistics;
        Assert.Equal(rounds * CallsPerRound, stats.Queued);
        Assert.Equal(0, stats.DroppedQueueFull);
        Assert.Equal(0, stats.DroppedBySinks);
        Assert.Equal(rounds * CallsPerRound, sink.Records);

        // Flat: after the first round warmed up, the heap grows by less than 8 MiB; the SDK's own threads (the pump and one
        // worker per sink) stay exactly as many, and no other thread is added beyond a runtime helper or two. The thread
        // pool's workers are left out: how many it keeps is the runtime's policy and follows the machine's load (it added
        // 5-7 on a loaded machine), not a leak of ours.
        Assert.InRange(heap[^1] - heap[1], long.MinValue, 8L * 1024 * 1024);
        Assert.Equal(sdkThreads[1], sdkThreads[^1]);
        Assert.InRange(threads[^1] - threads[1], int.MinValue, 2);
    }

    /// <summary>Counts the process's threads by name (Linux): those that are not thread-pool workers, and the SDK's own.</summary>
    private static (int Others, int Sdk) CountThreads()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (Process.GetCurrentProcess().Threads.Count, 0);
        }

        var others = 0;
        var sdk = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string name;
            try
            {
                name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
            }
            catch (IOException)
            {
                continue; // the thread ended while we looked
            }

            if (name.StartsWith(".NET TP", StringComparison.Ordinal))
            {
                continue;
            }

            others++;
            sdk += name.StartsWith("LlmCost", StringComparison.Ordinal) ? 1 : 0;
        }

        return (others, sdk);
    }
}
