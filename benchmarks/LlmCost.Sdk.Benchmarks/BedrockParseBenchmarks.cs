using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Throughput of the Bedrock usage readers over ~1 MiB payloads shaped like Bedrock Runtime's (see
/// tests/Payloads/bedrock-*): a pretty-printed Converse response (<see cref="JsonScanner"/>), a ConverseStream event
/// stream (<see cref="AwsEventStreamReader"/>: both CRCs checked, every event's JSON scanned, usage in the last
/// <c>metadata</c> event) and an InvokeModelWithResponseStream of Claude (each <c>chunk</c> event's base64 decoded and
/// its Anthropic event scanned, invocation metrics in the last one). Events carry Bedrock's <c>"p"</c> padding.
/// Fed in 16 KiB writes, as a network read loop would; one operation = one whole payload; MiB/s = payload bytes / mean.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class BedrockParseBenchmarks
{
    private const int TargetSize = 1024 * 1024;
    private const string Padding = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private static readonly string[] Words =
    [
        "the", "termination", "clause", "allows", "either", "party", "to", "end", "the", "agreement", "with", "thirty",
        "days", "written", "notice", "provided", "that", "all", "outstanding", "invoices", "are", "settled", "first",
    ];

    private static readonly byte[] ConverseJson = Converse(TargetSize - 600);
    private static readonly byte[] ConverseStreamBytes = ConverseStream(TargetSize, out ConverseStreamEvents);
    private static readonly byte[] InvokeStreamBytes = InvokeStream(TargetSize, out InvokeStreamChunks);
    private static readonly int ConverseStreamEvents;
    private static readonly int InvokeStreamChunks;

    /// <summary>Bytes read by one operation of a benchmark method, for the MiB/s column.</summary>
    public static double BytesPerOperation(string method) => method switch
    {
        nameof(ConverseJson_1MiB) => ConverseJson.Length,
        nameof(ConverseStream_1MiB) => ConverseStreamBytes.Length,
        nameof(InvokeModelWithResponseStream_1MiB) => InvokeStreamBytes.Length,
        _ => double.NaN,
    };

    [GlobalSetup]
    public void Setup()
    {
        // Sanity check: every reader finds the final usage, and the stream is not malformed.
        Check(ConverseJson_1MiB(), 350, "Converse JSON");
        Check(ConverseStream_1MiB(), ConverseStreamEvents, "ConverseStream");
        Check(InvokeModelWithResponseStream_1MiB(), InvokeStreamChunks, "InvokeModelWithResponseStream");
        Console.WriteLine($"// payload bytes: converse={ConverseJson.Length} converseStream={ConverseStreamBytes.Length} ({ConverseStreamEvents} events) invokeStream={InvokeStreamBytes.Length} ({InvokeStreamChunks} chunks)");

        static void Check(long output, long expected, string what)
        {
            if (output != expected)
            {
                throw new InvalidOperationException($"{what}: output tokens {output}, expected {expected}.");
            }
        }
    }

    [Benchmark]
    public long ConverseJson_1MiB() => UsageReaders.OutputTokens(ConverseJson, BedrockConverseUsageMapping.Instance, UsageReaders.Json);

    [Benchmark]
    public long ConverseStream_1MiB() => UsageReaders.OutputTokens(ConverseStreamBytes, BedrockConverseUsageMapping.Instance, UsageReaders.EventStream);

    [Benchmark]
    public long InvokeModelWithResponseStream_1MiB() => UsageReaders.OutputTokens(InvokeStreamBytes, BedrockInvokeUsageMapping.Instance, UsageReaders.EventStream);

    private static string Text(int n) => string.Join(' ', Enumerable.Range(0, n).Select(i => Words[i % Words.Length]));

    /// <summary>A pretty-printed Converse response whose text makes it about <paramref name="size"/> bytes.</summary>
    private static byte[] Converse(int size)
    {
        var text = Text(size / 5);
        text = text[..Math.Min(size, text.Length)];
        return Encoding.UTF8.GetBytes(
            "{\n  \"output\": {\n    \"message\": {\n      \"role\": \"assistant\",\n      \"content\": [\n        {\n          \"text\": \""
            + text
            + "\"\n        }\n      ]\n    }\n  },\n  \"stopReason\": \"end_turn\",\n  \"usage\": {\n    \"inputTokens\": 45,\n    \"outputTokens\": 350,\n    \"totalTokens\": 4595,\n    \"cacheReadInputTokens\": 3000,\n    \"cacheWriteInputTokens\": 1200\n  },\n  \"metrics\": {\n    \"latencyMs\": 2104\n  }\n}\n");
    }

    /// <summary>messageStart, text deltas, contentBlockStop, messageStop and metadata (output = number of deltas).</summary>
    private static byte[] ConverseStream(int size, out int deltas)
    {
        using var stream = new MemoryStream();
        stream.Write(Event("messageStart", "{\"p\":\"" + Padding[..40] + "\",\"role\":\"assistant\"}"));
        deltas = 0;
        while (stream.Length < size - 600)
        {
            var text = Text(4 + (deltas % 5)).Replace("the", "The", StringComparison.Ordinal);
            stream.Write(Event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\" " + text + "\"},\"p\":\"" + Padding[..(deltas % Padding.Length)] + "\"}"));
            deltas++;
        }

        stream.Write(Event("contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"ab\"}"));
        stream.Write(Event("messageStop", "{\"p\":\"abcdefghijklmnopqrstuvw\",\"stopReason\":\"end_turn\"}"));
        stream.Write(Event("metadata", "{\"metrics\":{\"latencyMs\":2104},\"p\":\"" + Padding[..43] + "\",\"usage\":{\"cacheReadInputTokens\":3000,\"cacheWriteInputTokens\":1200,\"inputTokens\":45,\"outputTokens\":" + deltas.ToString(CultureInfo.InvariantCulture) + ",\"totalTokens\":4595}}"));
        return stream.ToArray();
    }

    /// <summary>Claude's Messages stream in chunk events: message_start, text deltas, message_delta, message_stop with metrics.</summary>
    private static byte[] InvokeStream(int size, out int deltas)
    {
        using var stream = new MemoryStream();
        stream.Write(Chunk("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bdrk_01Gx1mFfYkS9wDAmH5ZzWcVt\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":1500,\"cache_read_input_tokens\":4000,\"output_tokens\":1}}}"));
        stream.Write(Chunk("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
        deltas = 0;
        while (stream.Length < size - 800)
        {
            stream.Write(Chunk("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" " + Text(4 + (deltas % 5)) + "\"}}"));
            deltas++;
        }

        var output = deltas.ToString(CultureInfo.InvariantCulture);
        stream.Write(Chunk("{\"type\":\"content_block_stop\",\"index\":0}"));
        stream.Write(Chunk("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + output + "}}"));
        stream.Write(Chunk("{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":12,\"outputTokenCount\":" + output + ",\"invocationLatency\":2351,\"firstByteLatency\":612,\"cacheReadInputTokenCount\":4000,\"cacheWriteInputTokenCount\":1500}}"));
        return stream.ToArray();
    }

    private static byte[] Chunk(string modelJson) =>
        Event("chunk", "{\"bytes\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(modelJson)) + "\",\"p\":\"" + Padding[..(modelJson.Length % Padding.Length)] + "\"}");

    /// <summary>One event message as Bedrock frames it: prelude with its CRC, three string headers, the payload, the message CRC.</summary>
    private static byte[] Event(string eventType, string json)
    {
        using var headers = new MemoryStream();
        Header(headers, ":event-type", eventType);
        Header(headers, ":content-type", "application/json");
        Header(headers, ":message-type", "event");
        var payload = Encoding.UTF8.GetBytes(json);
        var total = 12 + (int)headers.Length + payload.Length + 4;
        var message = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32.HashToUInt32(message.AsSpan(0, 8)));
        headers.ToArray().CopyTo(message, 12);
        payload.CopyTo(message, 12 + (int)headers.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32.HashToUInt32(message.AsSpan(0, total - 4)));
        return message;

        static void Header(MemoryStream to, string name, string value)
        {
            to.WriteByte((byte)name.Length);
            to.Write(Encoding.ASCII.GetBytes(name));
            to.WriteByte(7);
            to.WriteByte((byte)(value.Length >> 8));
            to.WriteByte((byte)value.Length);
            to.Write(Encoding.ASCII.GetBytes(value));
        }
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn(BytesPerOperation));
    }
}
