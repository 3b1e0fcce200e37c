using System.IO.Compression;

namespace LlmCost.Sdk.ReliabilityTests.Usage;

/// <summary>Bodies sent with Content-Encoding to a client without AutomaticDecompression: usage read from a decoded copy.</summary>
public class EncodingTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var payload in new[] { "openai-chat.json", "openai-chat-stream.sse", "anthropic-messages-stream.sse" })
        {
            foreach (var encoding in new[] { "gzip", "deflate", "br" })
            {
                data.Add(payload, encoding);
            }
        }

        return data;
    }

    internal static byte[] Encode(byte[] body, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            compressor.Write(body);
        }

        return output.ToArray();
    }

    private static Func<byte[], HttpContent> Encoded(string payload, string encoding) => bytes =>
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(TrackedCalls.ContentTypeFor(payload));
        content.Headers.ContentEncoding.Add(encoding);
        return content;
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EncodedBody_AppGetsTheEncodedBytesAndTheUsageIsTheDecodedBodys(string payload, string encoding)
    {
        var body = TrackedCalls.Payload(payload);
        var encoded = Encode(body, encoding);
        await using var calls = new TrackedCalls(o => o.EstimateMissingUsage = false);
        await calls.CallAsync(payload, body);
        await calls.Tracker.FlushAsync();
        var plain = Assert.Single(calls.Sink.Records).Usage;
        calls.Sink.Clear();

        var (read, error) = await calls.CallAsync(payload, encoded, Encoded(payload, encoding), readSize: 5);
        await calls.Tracker.FlushAsync();

        Assert.Null(error);
        Assert.Equal(encoded, read); // the app's bytes: the encoded ones, unchanged
        var record = Assert.Single(calls.Sink.Records);
        Assert.Equal(UsageSource.Provider, plain.Source);
        Assert.Equal(plain, record.Usage);
        Assert.Equal(0, calls.Tracker.Statistics.MalformedResponses);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task EncodedBodyCutShort_IsFlagged(string encoding)
    {
        var encoded = Encode(TrackedCalls.Payload("openai-chat.json"), encoding);
        await using var calls = new TrackedCalls();

        await calls.CallAsync("openai-chat.json", encoded[..(encoded.Length * 2 / 3)], Encoded("openai-chat.json", encoding));
        await calls.Tracker.FlushAsync();

        var record = Assert.Single(calls.Sink.Records);
        Assert.NotEqual(UsageSource.Provider, record.Usage.Source);
        Assert.Null(record.Cost);
        Assert.Equal(1, calls.Tracker.Statistics.MalformedResponses);
    }

    [Fact]
    public async Task CorruptGzip_IsCountedMalformed()
    {
        var encoded = Encode(TrackedCalls.Payload("openai-chat.json"), "gzip");
        for (var i = 12; i < encoded.Length - 8; i += 3)
        {
            encoded[i] ^= 0x5A;
        }

        await using var calls = new TrackedCalls();
        var (read, _) = await calls.CallAsync("openai-chat.json", encoded, Encoded("openai-chat.json", "gzip"));
        await calls.Tracker.FlushAsync();

        Assert.Equal(encoded, read);
        var record = Assert.Single(calls.Sink.Records);
        Assert.NotEqual(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(1, calls.Tracker.Statistics.MalformedResponses);
    }
}
