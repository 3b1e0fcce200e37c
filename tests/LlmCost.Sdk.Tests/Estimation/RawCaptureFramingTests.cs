using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Estimation;

/// <summary>
/// Issue 12, item 8: what the estimator is given is the text the provider sent — decoded when the body had a
/// Content-Encoding, and captured when a stream came labelled as something else — while the app gets the original bytes.
/// </summary>
public class RawCaptureFramingTests
{
    private const string ChatUrl = "https://api.openai.com/v1/chat/completions";
    private const string SayHiRequest = """{"model":"gpt-3.5-turbo-0125","messages":[{"role":"user","content":"Say hi"}],"stream":true}""";

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task EncodedStreamWithoutUsage_EstimatorSeesTheDecodedTextAndTheAppTheEncodedBytes(string encoding)
    {
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var encoded = Encode(body, encoding);
        var estimator = new RecordingEstimator();
        await using var services = Create(Reply(encoded, "text/event-stream", encoding), estimator);

        var read = await PostAsync(services);
        var record = await SingleRecordAsync(services);

        Assert.Equal(encoded, read); // the app's bytes: encoded, unchanged
        var seen = Assert.Single(estimator.Seen);
        Assert.Equal(SayHiRequest, seen.Request);
        Assert.Equal(Encoding.UTF8.GetString(body), seen.Response); // the estimator reads text, never gzip
        Assert.Equal(body.Length, seen.ResponseLength);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);
        Assert.Equal(42, record.Usage.OutputTokens);
        Assert.Equal(0, services.GetRequiredService<ILlmCostTracker>().Statistics.MalformedResponses);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task StreamWithoutUsageLabelledAsSomethingElse_IsCapturedAndEstimatedAsAStream(string? contentType)
    {
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var estimator = new RecordingEstimator();
        await using var services = Create(Reply(body, contentType, encoding: null), estimator);

        var read = await PostAsync(services);
        var record = await SingleRecordAsync(services);

        Assert.Equal(body, read);
        Assert.True(record.Streaming);
        Assert.Equal("gpt-3.5-turbo-0125", record.Model);
        var seen = Assert.Single(estimator.Seen);
        Assert.Equal(SayHiRequest, seen.Request);
        Assert.Equal(Encoding.UTF8.GetString(body), seen.Response);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);
    }

    [Fact]
    public async Task EncodedStreamLabelledJson_IsDecodedSniffedAndReadAsEvents()
    {
        var body = Payloads.Bytes("openai-chat-stream.sse");
        var encoded = Encode(body, "gzip");
        var estimator = new RecordingEstimator();
        await using var services = Create(Reply(encoded, "application/json", "gzip"), estimator);

        var read = await PostAsync(services);
        var record = await SingleRecordAsync(services);

        Assert.Equal(encoded, read);
        Assert.True(record.Streaming);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(10, record.Usage.InputTokens);
        Assert.Equal(5, record.Usage.OutputTokens);
        Assert.Empty(estimator.Seen); // the provider reported usage: nothing to estimate
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

    private static FakeProviderHandler Reply(byte[] body, string? contentType, string? encoding) => new([])
    {
        Respond = _ =>
        {
            var content = new StreamContent(new SmallReads(body));
            if (contentType is not null)
            {
                content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            }

            if (encoding is not null)
            {
                content.Headers.ContentEncoding.Add(encoding);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        },
    };

    private static ServiceProvider Create(FakeProviderHandler provider, ILlmUsageEstimator estimator)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.Zero).AddInMemorySink();
        services.AddSingleton(estimator);
        services.AddHttpClient("llm").AddLlmCostTracking().ConfigurePrimaryHttpMessageHandler(() => provider);
        return services.BuildServiceProvider();
    }

    private static async Task<byte[]> PostAsync(ServiceProvider services)
    {
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("llm");
        using var response = await client.PostAsync(ChatUrl, new StringContent(SayHiRequest, Encoding.UTF8, "application/json"));
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<CostRecord> SingleRecordAsync(ServiceProvider services)
    {
        await services.GetRequiredService<ILlmCostTracker>().FlushAsync();
        return Assert.Single(services.GetRequiredService<InMemoryCostSink>().Records);
    }

    /// <summary>An estimator of another tokenizer; copies what it is given.</summary>
    private sealed class RecordingEstimator : ILlmUsageEstimator
    {
        public List<(string Request, string Response, long ResponseLength)> Seen { get; } = [];

        public TokenUsage? Estimate(LlmUsageEstimationContext context)
        {
            Seen.Add((Encoding.UTF8.GetString(context.RequestBody.Span), Encoding.UTF8.GetString(context.ResponseBody.Span), context.ResponseBodyLength));
            return new TokenUsage { InputTokens = 7, OutputTokens = 42, Source = UsageSource.Estimated };
        }
    }

    /// <summary>A body that arrives 3 bytes at a time, so the first bytes (and a field name) are split across reads.</summary>
    private sealed class SmallReads(byte[] data) : MemoryStream(data, writable: false)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 3)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 3));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 3)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, 3), cancellationToken);
    }
}
