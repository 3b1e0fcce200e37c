using System.Text;
using Microsoft.ML.Tokenizers;

namespace LlmCost.Sdk.Tests.Estimation;

/// <summary>The capture of a stream's bytes costs the app's read a copy and holds constant memory, however long the stream.</summary>
public class RawCaptureTests
{
    private static readonly Tokenizer Gpt4o = TiktokenTokenizer.CreateForModel("gpt-4o");

    /// <summary>Words of prose; each chunk streams two, so the text past the cap is like the text before it.</summary>
    private static readonly string[] Words =
        [" The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".", " Costs", " are", " tracked", " per", " call", ","];

    private static string Delta(int chunk) => Words[(2 * chunk) % Words.Length] + Words[((2 * chunk) + 1) % Words.Length];

    /// <summary>A gpt-4o stream without usage (no include_usage): one content delta per chunk.</summary>
    private static byte[] OpenAIStream(int chunks)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < chunks; i++)
        {
            builder.Append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"")
                .Append(Delta(i)).Append("\"}}]}\n\n");
        }

        builder.Append("data: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static string StreamedText(int chunks)
    {
        var text = new StringBuilder();
        for (var i = 0; i < chunks; i++)
        {
            text.Append(Delta(i));
        }

        return text.ToString();
    }

    private static Task<(long Allocated, CostRecord Record)> ReadTrackedAsync(int chunks) => TrackedStreamRead.ReadAsync(OpenAIStream(chunks));

    [Fact]
    public async Task Read_LongerStreamWithoutUsage_AllocatesNoMorePerCall()
    {
        // Warm up so one-time costs (pool arrays, the vocabulary, static initializers) are not counted.
        await ReadTrackedAsync(10);
        await ReadTrackedAsync(20_000);

        // The least of three runs each, as in ObservingReadStreamTests: a pool miss on a fresh thread is not growth.
        long shortStream = long.MaxValue, longStream = long.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var (shortBytes, shortRecord) = await ReadTrackedAsync(10);
            var (longBytes, longRecord) = await ReadTrackedAsync(20_000);
            Assert.Equal(UsageSource.Estimated, shortRecord.Usage.Source);
            Assert.Equal(UsageSource.Estimated, longRecord.Usage.Source);
            Assert.Equal(Gpt4o.CountTokens(StreamedText(10)), shortRecord.Usage.OutputTokens);
            shortStream = Math.Min(shortStream, shortBytes);
            longStream = Math.Min(longStream, longBytes);
        }

        // 2,000 times more chunks (about 2.4 MB of events, 180 KB of text: far past the 64 KiB cap) allocate no more: memory per call is constant.
        Assert.True(longStream <= shortStream + 512, $"10 chunks: {shortStream} B, 20,000 chunks: {longStream} B");
    }

    [Fact]
    public async Task Read_TextPastTheCap_IsCountedAndScaled()
    {
        var text = StreamedText(20_000);
        Assert.True(Encoding.UTF8.GetByteCount(text) > 2 * RawCapture.MaxBytes);
        Assert.True(OpenAIStream(20_000).Length > 20 * RawCapture.MaxBytes);

        var (_, record) = await ReadTrackedAsync(20_000);

        // Only the first 64 KiB of the stream are kept and their text tokenized; the rest is counted in bytes and the
        // estimate scaled by the same ratio. Documented accuracy: within 5 % when the events past the cap are like
        // the events before them (a provider streams about one token per event).
        var exact = Gpt4o.CountTokens(text);
        Assert.InRange(record.Usage.OutputTokens, exact * 0.95, exact * 1.05);
    }

    [Fact]
    public void Append_PastTheCap_KeepsTheCapAndCountsTheRest()
    {
        var capture = new RawCapture();
        try
        {
            var chunk = new byte[1000];
            for (var i = 0; i < 100; i++)
            {
                chunk.AsSpan().Fill((byte)('a' + (i % 26)));
                capture.Append(chunk);
            }

            Assert.Equal(RawCapture.MaxBytes, capture.Kept.Length);
            Assert.Equal(100_000, capture.TotalBytes);
            Assert.Equal((byte)'a', capture.Kept.Span[0]);
            Assert.Equal((byte)('a' + (65 % 26)), capture.Kept.Span[^1]); // byte 65,535 came from the 66th chunk: kept in order
        }
        finally
        {
            capture.Release();
        }
    }
}
