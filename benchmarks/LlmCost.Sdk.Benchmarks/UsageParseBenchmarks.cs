using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Throughput of the incremental usage readers (<see cref="JsonScanner"/>, <see cref="SseUsageReader"/> with the
/// OpenAI and Anthropic mappings) over ~1 MiB real-shaped payloads fed in 16 KiB chunks, as a network read loop would.
/// One operation = one whole payload, from a fresh reader to <c>Complete</c>; the MiB/s column is payload bytes / mean.
/// <c>OpenAISse_PerEvent</c> feeds the same OpenAI stream one event per write (the handler benchmark's shape):
/// its mean is per event.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class UsageParseBenchmarks
{
    private const int TargetSize = 1024 * 1024;

    private static readonly byte[] LargeJson = Payloads.OpenAIChatCompletion(TargetSize - 700);
    private static readonly byte[] OpenAISse = Payloads.OpenAIChatStreamOfSize(TargetSize, out OpenAISseEventEnds);
    private static readonly int[] OpenAISseEventEnds;
    private static readonly byte[] AnthropicSse = Payloads.AnthropicMessageStreamOfSize(TargetSize, out _);

    private const int OpenAISseEvents = 3400; // checked against the payload in Setup; keeps OperationsPerInvoke a constant

    /// <summary>Bytes read by one operation of a benchmark method, for the MiB/s column.</summary>
    public static double BytesPerOperation(string method) => method switch
    {
        nameof(OpenAIJson_1MiB) => LargeJson.Length,
        nameof(OpenAISse_1MiB) => OpenAISse.Length,
        nameof(AnthropicSse_1MiB) => AnthropicSse.Length,
        nameof(OpenAISse_PerEvent) => (double)OpenAISseEventEnds[OpenAISseEvents - 1] / OpenAISseEvents,
        _ => double.NaN,
    };

    [GlobalSetup]
    public void Setup()
    {
        if (OpenAISseEventEnds.Length < OpenAISseEvents)
        {
            throw new InvalidOperationException($"The OpenAI stream has {OpenAISseEventEnds.Length} events, fewer than {OpenAISseEvents}.");
        }

        // Sanity check: every reader finds the usage at the end.
        Check(OpenAIJson_1MiB(), 350, "OpenAI JSON");
        Check(OpenAISse_1MiB(), OpenAISseEventEnds.Length - 4, "OpenAI SSE");
        Check(AnthropicSse_1MiB(), -1, "Anthropic SSE");
        Console.WriteLine($"// payload bytes: json={LargeJson.Length} openaiSse={OpenAISse.Length} ({OpenAISseEventEnds.Length} events) anthropicSse={AnthropicSse.Length}");

        static void Check(long output, long expected, string what)
        {
            if (output <= 1 || (expected >= 0 && output != expected))
            {
                throw new InvalidOperationException($"{what}: output tokens {output}, expected {expected}.");
            }
        }
    }

    [Benchmark]
    public long OpenAIJson_1MiB() => UsageReaders.OutputTokens(LargeJson, OpenAIUsageMapping.Instance, UsageReaders.Json);

    [Benchmark]
    public long OpenAISse_1MiB() => UsageReaders.OutputTokens(OpenAISse, OpenAIUsageMapping.Instance, UsageReaders.Sse);

    [Benchmark]
    public long AnthropicSse_1MiB() => UsageReaders.OutputTokens(AnthropicSse, AnthropicUsageMapping.Instance, UsageReaders.Sse);

    [Benchmark(OperationsPerInvoke = OpenAISseEvents)]
    public long OpenAISse_PerEvent()
    {
        var usage = new UsageAccumulator();
        var json = new JsonScanner(OpenAIUsageMapping.Instance, usage);
        var sse = new SseUsageReader(json);
        var data = OpenAISse.AsSpan();
        var start = 0;
        var ends = OpenAISseEventEnds;
        for (var e = 0; e < OpenAISseEvents; e++)
        {
            sse.Write(data[start..ends[e]]);
            start = ends[e];
        }

        sse.Complete();
        json.Release();
        return usage.ToUsage().InputTokens;
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn(BytesPerOperation));
    }
}
