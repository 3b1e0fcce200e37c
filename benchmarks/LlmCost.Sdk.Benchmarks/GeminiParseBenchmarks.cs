using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Throughput of the usage readers with <see cref="GeminiUsageMapping"/> over ~1 MiB payloads shaped like the Gemini
/// API's (see tests/Payloads/gemini-*): a pretty-printed <c>generateContent</c> response, a
/// <c>streamGenerateContent?alt=sse</c> stream and the same chunks as the JSON array <c>streamGenerateContent</c> sends
/// without <c>alt=sse</c>. Every chunk carries its cumulative <c>usageMetadata</c>, as the API does, so the reader
/// scans every chunk. Fed in 16 KiB writes; one operation = one whole payload; MiB/s = payload bytes / mean.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class GeminiParseBenchmarks
{
    private const int TargetSize = 1024 * 1024;
    private const string Model = "gemini-2.5-flash";

    private static readonly string[] Words =
    [
        "the", "sky", "is", "blue", "because", "sunlight", "scatters", "off", "molecules", "in", "the", "atmosphere",
        "and", "shorter", "wavelengths", "scatter", "more", "so", "blue", "light", "reaches", "our", "eyes", "from",
        "every", "direction", "while", "red", "and", "orange", "pass", "through", "at", "sunset",
    ];

    private static readonly byte[] GenerateContentJson = GenerateContent(TargetSize - 900);
    private static readonly byte[] StreamSse = Stream(TargetSize, sse: true, out SseChunks);
    private static readonly byte[] StreamJsonArray = Stream(TargetSize, sse: false, out ArrayChunks);
    private static readonly int SseChunks;
    private static readonly int ArrayChunks;

    /// <summary>Bytes read by one operation of a benchmark method, for the MiB/s column.</summary>
    public static double BytesPerOperation(string method) => method switch
    {
        nameof(GenerateContentJson_1MiB) => GenerateContentJson.Length,
        nameof(StreamGenerateContentSse_1MiB) => StreamSse.Length,
        nameof(StreamGenerateContentJsonArray_1MiB) => StreamJsonArray.Length,
        _ => double.NaN,
    };

    [GlobalSetup]
    public void Setup()
    {
        // Sanity check: every reader finds the last chunk's totals (output = candidates + thoughts).
        Check(GenerateContentJson_1MiB(), 350 + 1200, "generateContent JSON");
        Check(StreamGenerateContentSse_1MiB(), SseChunks + 1200, "streamGenerateContent SSE");
        Check(StreamGenerateContentJsonArray_1MiB(), ArrayChunks + 1200, "streamGenerateContent JSON array");
        Console.WriteLine($"// payload bytes: json={GenerateContentJson.Length} sse={StreamSse.Length} ({SseChunks} chunks) array={StreamJsonArray.Length} ({ArrayChunks} chunks)");

        static void Check(long output, long expected, string what)
        {
            if (output != expected)
            {
                throw new InvalidOperationException($"{what}: output tokens {output}, expected {expected}.");
            }
        }
    }

    [Benchmark]
    public long GenerateContentJson_1MiB() => UsageReaders.OutputTokens(GenerateContentJson, GeminiUsageMapping.Instance, UsageReaders.Json);

    [Benchmark]
    public long StreamGenerateContentSse_1MiB() => UsageReaders.OutputTokens(StreamSse, GeminiUsageMapping.Instance, UsageReaders.Sse);

    [Benchmark]
    public long StreamGenerateContentJsonArray_1MiB() => UsageReaders.OutputTokens(StreamJsonArray, GeminiUsageMapping.Instance, UsageReaders.Json);

    /// <summary>A pretty-printed response with a thought summary, a long answer and the usage at the end (the API's layout).</summary>
    private static byte[] GenerateContent(int textBytes) => Encoding.UTF8.GetBytes(
        "{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n          {\n            \"text\": \"**Explaining the color of the sky**\\n\\nI'm focusing on Rayleigh scattering.\\n\",\n            \"thought\": true\n          },\n          {\n            \"text\": \""
        + Text(textBytes)
        + "\"\n          }\n        ],\n        \"role\": \"model\"\n      },\n      \"finishReason\": \"STOP\",\n      \"index\": 0\n    }\n  ],\n"
        + "  \"usageMetadata\": {\n    \"promptTokenCount\": 12013,\n    \"candidatesTokenCount\": 350,\n    \"totalTokenCount\": 13563,\n    \"cachedContentTokenCount\": 11243,\n"
        + "    \"promptTokensDetails\": [\n      {\n        \"modality\": \"TEXT\",\n        \"tokenCount\": 12013\n      }\n    ],\n"
        + "    \"cacheTokensDetails\": [\n      {\n        \"modality\": \"TEXT\",\n        \"tokenCount\": 11243\n      }\n    ],\n    \"thoughtsTokenCount\": 1200\n  },\n"
        + "  \"modelVersion\": \"" + Model + "\",\n  \"responseId\": \"2pmHaJqQEoqC-8YP6eStyAY\"\n}\n");

    /// <summary>
    /// Streamed chunks of about 300 bytes, each with the cumulative usage (one more candidate token per chunk), as SSE
    /// events (the API's compact layout) or as the elements of a pretty-printed JSON array.
    /// </summary>
    private static byte[] Stream(int targetSize, bool sse, out int chunks)
    {
        var builder = new StringBuilder(targetSize + 4096);
        if (!sse)
        {
            builder.Append('[');
        }

        chunks = 0;
        while (builder.Length < targetSize - 600)
        {
            chunks++;
            var text = Text(120 + (chunks % 7 * 10), offset: chunks);
            var candidates = chunks.ToString(CultureInfo.InvariantCulture);
            var total = (10 + chunks + 1200).ToString(CultureInfo.InvariantCulture);
            if (sse)
            {
                builder.Append("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"").Append(text)
                    .Append("\"}],\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 10,\"candidatesTokenCount\": ").Append(candidates)
                    .Append(",\"totalTokenCount\": ").Append(total)
                    .Append(",\"promptTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": 10}],\"thoughtsTokenCount\": 1200},\"modelVersion\": \"")
                    .Append(Model).Append("\",\"responseId\": \"0J-HaJetAqv0jrEPwu-tsQ0\"}\n\n");
            }
            else
            {
                if (chunks > 1)
                {
                    builder.Append("\n,\r\n");
                }

                builder.Append("{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n          {\n            \"text\": \"").Append(text)
                    .Append("\"\n          }\n        ],\n        \"role\": \"model\"\n      },\n      \"index\": 0\n    }\n  ],\n  \"usageMetadata\": {\n    \"promptTokenCount\": 10,\n    \"candidatesTokenCount\": ")
                    .Append(candidates).Append(",\n    \"totalTokenCount\": ").Append(total)
                    .Append(",\n    \"promptTokensDetails\": [\n      {\n        \"modality\": \"TEXT\",\n        \"tokenCount\": 10\n      }\n    ],\n    \"thoughtsTokenCount\": 1200\n  },\n  \"modelVersion\": \"")
                    .Append(Model).Append("\",\n  \"responseId\": \"md2UaLXRCaKTmNAPrsSpgAo\"\n}");
            }
        }

        if (!sse)
        {
            builder.Append("\n]");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>
    /// Answer text as it appears inside a JSON string: words, with escaped newlines and quotes now and then (as often as
    /// in <see cref="UsageParseBenchmarks"/>' OpenAI payloads, so the figures compare).
    /// </summary>
    private static string Text(int bytes, int offset = 0)
    {
        var builder = new StringBuilder(bytes + 32);
        for (var i = offset + 1; builder.Length < bytes; i++)
        {
            builder.Append(Words[i * 13 % Words.Length]);
            if (i % 40 == 0)
            {
                builder.Append("\\n\\n");
            }
            else if (i % 97 == 0)
            {
                builder.Append(" \\\"quoted\\\"");
            }

            builder.Append(i % 15 == 0 ? ". " : " ");
        }

        return builder.ToString();
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn(BytesPerOperation));
    }
}
