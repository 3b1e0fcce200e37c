using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmCost.Sdk.Tests.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// Amazon Bedrock through the real handler: <c>AddLlmCostTracking().AddInMemorySink()</c> and an HttpClient with the
/// tracking handler over a fake Bedrock Runtime that replays real payload shapes, in small reads.
/// </summary>
/// <remarks>
/// Prices are Bedrock's published on-demand rates. Claude Sonnet 4.5 is $3 input, $3.75 cache write, $0.30 cache read and
/// $15 output per million tokens for the global cross-region profile; regional and geographic endpoints (a <c>us.</c>
/// profile, a plain model id in <c>us-east-1</c>) cost 10% more. Amazon Nova Pro is $0.80 input and $3.20 output.
/// </remarks>
public sealed class BedrockTests
{
    private const string Endpoint = "https://bedrock-runtime.us-east-1.amazonaws.com";
    private const string UsSonnet45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    private const string GlobalSonnet45 = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";
    private const string EventStream = "application/vnd.amazon.eventstream";
    private const string ConverseRequest = """{"messages":[{"role":"user","content":[{"text":"Summarize the termination clause."}]}],"inferenceConfig":{"maxTokens":512}}""";
    private const string AnthropicInvokeRequest = """{"anthropic_version":"bedrock-2023-05-31","max_tokens":512,"messages":[{"role":"user","content":"Summarize the termination clause."}]}""";

    // The Converse cache payload (45 uncached + 3000 read + 1200 written input, 350 output) at the global rates:
    // 45 × $3, 3000 × $0.30, 1200 × $3.75, 350 × $15, per 1M tokens.
    private static readonly CostBreakdown ConverseCacheGlobal = Cost(0.000135m, 0.0009m, 0.0045m, 0.00525m);

    // The same usage at a regional or geographic endpoint: every part × 1.1.
    private static readonly CostBreakdown ConverseCacheRegional = Cost(0.0001485m, 0.00099m, 0.00495m, 0.005775m);

    [Theory]
    [InlineData("converse", false)]
    [InlineData("converse-stream", true)]
    public async Task Converse_UsProfileWithCache_RecordsUsageRegionAndUpliftedCost(string action, bool streaming)
    {
        var body = streaming ? BedrockConverseUsageMappingTests.ConverseStreamCacheBody() : Payloads.Bytes("bedrock-converse-cache.json");
        await using var host = Host(_ => Response(body, streaming ? EventStream : "application/json", readSize: 7));

        var (record, received) = await host.CallAsync(Url(UsSonnet45, action), ConverseRequest);

        Assert.Equal(body, received);
        Assert.Equal(LlmProviders.AwsBedrock, record.Provider);
        Assert.Equal("chat", record.Operation);
        Assert.Equal(UsSonnet45, record.Model);
        Assert.Equal("us", record.Region);
        Assert.Equal(streaming, record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.Null(record.ErrorType);
        Assert.Equal(UsageParsing.Usage(4245, 3000, 1200, 350, 0), record.Usage);
        Assert.Equal(ConverseCacheRegional, record.Cost);
        Assert.Equal(0.0118635m, record.Cost!.Total);
    }

    [Theory]
    [InlineData("converse", false)]
    [InlineData("converse-stream", true)]
    public async Task Converse_GlobalProfile_RecordsPublishedCostWithoutUplift(string action, bool streaming)
    {
        var body = streaming ? BedrockConverseUsageMappingTests.ConverseStreamCacheBody() : Payloads.Bytes("bedrock-converse-cache.json");
        await using var host = Host(_ => Response(body, streaming ? EventStream : "application/json", readSize: 64));

        var (record, received) = await host.CallAsync(Url(GlobalSonnet45, action), ConverseRequest);

        Assert.Equal(body, received);
        Assert.Equal(GlobalSonnet45, record.Model);
        Assert.Equal("global", record.Region);
        Assert.Equal(UsageParsing.Usage(4245, 3000, 1200, 350, 0), record.Usage);
        Assert.Equal(ConverseCacheGlobal, record.Cost);
        Assert.Equal(0.010785m, record.Cost!.Total);
    }

    [Fact]
    public async Task Converse_PlainModelId_IsServedInTheEndpointRegion()
    {
        const string Model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
        await using var host = Host(_ => Response(Payloads.Bytes("bedrock-converse.json"), "application/json", readSize: 1));

        var (record, _) = await host.CallAsync(Url(Model, "converse"), ConverseRequest);

        Assert.Equal(Model, record.Model);
        Assert.Equal("us-east-1", record.Region);
        Assert.Equal(UsageParsing.Usage(2, 0, 0, 10, 0), record.Usage);

        // 2 × $3 × 1.1 + 10 × $15 × 1.1, per 1M tokens.
        Assert.Equal(0.0000066m, record.Cost!.Input);
        Assert.Equal(0.000165m, record.Cost.Output);
        Assert.Equal(0.0001716m, record.Cost.Total);
    }

    [Fact]
    public async Task ConverseStream_LiveCapture_RecordsTheMetadataUsage()
    {
        const string Model = "eu.anthropic.claude-sonnet-4-6";
        var body = Payloads.Bytes("bedrock-converse-stream-live.eventstream");
        await using var host = Host(_ => Response(body, EventStream, readSize: 2));

        var (record, received) = await host.CallAsync(
            $"https://bedrock-runtime.eu-central-1.amazonaws.com/model/{Model}/converse-stream", ConverseRequest);

        Assert.Equal(body, received);
        Assert.Equal(Model, record.Model);
        Assert.Equal("eu", record.Region);
        Assert.True(record.Streaming);
        Assert.Equal(UsageParsing.Usage(12, 0, 0, 5, 0), record.Usage);
    }

    [Fact]
    public async Task InvokeModel_AnthropicBodyAndHeaders_CountsOnceAtTheRegionalPrice()
    {
        var body = Payloads.Bytes("bedrock-invoke-anthropic.json");
        await using var host = Host(_ =>
        {
            var response = Response(body, "application/json", readSize: 7);
            response.Headers.Add("X-Amzn-Bedrock-Input-Token-Count", "12");
            response.Headers.Add("X-Amzn-Bedrock-Output-Token-Count", "220");
            response.Headers.Add("X-Amzn-Bedrock-Cache-Read-Input-Token-Count", "4000");
            response.Headers.Add("X-Amzn-Bedrock-Cache-Write-Input-Token-Count", "1500");
            return response;
        });

        var (record, received) = await host.CallAsync(Url(UsSonnet45, "invoke"), AnthropicInvokeRequest);

        Assert.Equal(body, received);
        Assert.Equal(UsSonnet45, record.Model); // not the body's "claude-sonnet-4-5-20250929"
        Assert.Equal("us", record.Region);
        Assert.False(record.Streaming);
        Assert.Equal(UsageParsing.Usage(5512, 4000, 1500, 220, 0), record.Usage);

        // (12 × $3 + 4000 × $0.30 + 1500 × $3.75 + 220 × $15) × 1.1, per 1M tokens.
        Assert.Equal(Cost(0.0000396m, 0.00132m, 0.0061875m, 0.00363m), record.Cost);
        Assert.Equal(0.0111771m, record.Cost!.Total);
    }

    [Fact]
    public async Task InvokeModelWithResponseStream_GlobalProfile_ReadsTheChunks()
    {
        var body = BedrockInvokeUsageMappingTests.InvokeStreamBody();
        await using var host = Host(_ => Response(body, EventStream, readSize: 1));

        var (record, received) = await host.CallAsync(Url(GlobalSonnet45, "invoke-with-response-stream"), AnthropicInvokeRequest);

        Assert.Equal(body, received);
        Assert.Equal(GlobalSonnet45, record.Model);
        Assert.Equal("global", record.Region);
        Assert.True(record.Streaming);
        Assert.Equal(UsageParsing.Usage(5512, 4000, 1500, 220, 0), record.Usage);

        // 12 × $3 + 4000 × $0.30 + 1500 × $3.75 + 220 × $15, per 1M tokens.
        Assert.Equal(Cost(0.000036m, 0.0012m, 0.005625m, 0.0033m), record.Cost);
        Assert.Equal(0.010161m, record.Cost!.Total);
    }

    [Fact]
    public async Task InvokeModel_NovaPro_IsPricedFromTheTokenCountHeaders()
    {
        const string Model = "amazon.nova-pro-v1:0";
        var body = Payloads.Bytes("bedrock-invoke-nova.json");
        await using var host = Host(_ =>
        {
            var response = Response(body, "application/json", readSize: 64);
            response.Headers.Add("X-Amzn-Bedrock-Input-Token-Count", "1200");
            response.Headers.Add("X-Amzn-Bedrock-Output-Token-Count", "300");
            return response;
        });

        var (record, received) = await host.CallAsync(Url(Model, "invoke"), """{"messages":[{"role":"user","content":[{"text":"Weekend trip ideas near Seattle?"}]}]}""");

        Assert.Equal(body, received);
        Assert.Equal(Model, record.Model);
        Assert.Equal("us-east-1", record.Region);
        Assert.Equal(UsageParsing.Usage(1200, 0, 0, 300, 0), record.Usage);

        // 1200 × $0.80 + 300 × $3.20, per 1M tokens.
        Assert.Equal(0.00096m, record.Cost!.Input);
        Assert.Equal(0.00096m, record.Cost.Output);
        Assert.Equal(0.00192m, record.Cost.Total);
    }

    [Fact]
    public async Task Converse_ApplicationInferenceProfileArn_IsPricedThroughTheModelAlias()
    {
        const string Arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
        await using var host = Host(
            _ => Response(Payloads.Bytes("bedrock-converse-cache.json"), "application/json", readSize: 7),
            o => o.ModelAliases[Arn] = UsSonnet45);

        var (record, _) = await host.CallAsync($"{Endpoint}/model/{Uri.EscapeDataString(Arn)}/converse", ConverseRequest);

        Assert.Equal(Arn, record.Model);
        Assert.Equal("us-east-1", record.Region);
        Assert.Equal(UsageParsing.Usage(4245, 3000, 1200, 350, 0), record.Usage);
        Assert.Equal(ConverseCacheRegional, record.Cost);
    }

    [Fact]
    public async Task ConverseStream_CrcMismatch_RecordsTheCallAsMalformedAndPassesTheBytes()
    {
        var body = BedrockConverseUsageMappingTests.ConverseStreamCacheBody();
        body[^3] ^= 0x40; // the metadata message's CRC
        await using var host = Host(_ => Response(body, EventStream, readSize: 7));

        var (record, received) = await host.CallAsync(Url(UsSonnet45, "converse-stream"), ConverseRequest);

        Assert.Equal(body, received);
        Assert.Equal(200, record.StatusCode);
        Assert.Null(record.ErrorType);
        Assert.Equal(UsSonnet45, record.Model);
        Assert.NotEqual(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(1, host.Tracker.Statistics.MalformedResponses);
    }

    [Fact]
    public async Task ConverseStream_ModelStreamErrorException_IsNotMalformed()
    {
        var messages = AwsEventStream.Split(BedrockConverseUsageMappingTests.ConverseStreamCacheBody());
        var body = AwsEventStream.Stream([.. messages.Take(3), Payloads.Bytes("bedrock-model-stream-error.eventstream")]);
        await using var host = Host(_ => Response(body, EventStream, readSize: 64));

        var (record, received) = await host.CallAsync(Url(UsSonnet45, "converse-stream"), ConverseRequest);

        Assert.Equal(body, received);
        Assert.Equal(0, host.Tracker.Statistics.MalformedResponses);
        Assert.NotEqual(UsageSource.Provider, record.Usage.Source);
    }

    private static string Url(string modelId, string action) => $"{Endpoint}/model/{modelId}/{action}";

    private static CostBreakdown Cost(decimal input, decimal cachedInput, decimal cacheWrite, decimal output) => new()
    {
        Currency = "USD",
        Input = input,
        CachedInput = cachedInput,
        CacheWrite = cacheWrite,
        Output = output,
        Total = input + cachedInput + cacheWrite + output,
    };

    private static HttpResponseMessage Response(byte[] body, string mediaType, int readSize)
    {
        var content = new StreamContent(new TrickleStream(body, readSize));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Headers.ContentLength = body.Length;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private static BedrockHost Host(Func<HttpRequestMessage, HttpResponseMessage> respond, Action<LlmCostOptions>? configure = null)
    {
        var provider = new FakeProviderHandler([]) { Respond = respond };
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o =>
        {
            o.Environment = "test";
            o.Pipeline.BatchDelay = TimeSpan.Zero;
            configure?.Invoke(o);
        }).AddInMemorySink();
        services.AddHttpClient("bedrock")
            .AddLlmCostTracking()
            .ConfigurePrimaryHttpMessageHandler(() => provider);
        return new BedrockHost(services.BuildServiceProvider());
    }

    private sealed class BedrockHost(ServiceProvider services) : IAsyncDisposable
    {
        public ILlmCostTracker Tracker => services.GetRequiredService<ILlmCostTracker>();

        /// <summary>POSTs the request, reads the whole body as the app would, and returns the one record and the bytes the app got.</summary>
        public async Task<(CostRecord Record, byte[] Received)> CallAsync(string url, string requestJson)
        {
            using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("bedrock");
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(requestJson, Encoding.UTF8, "application/json") };
            byte[] received;
            using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
            {
                using var copy = new MemoryStream();
                await (await response.Content.ReadAsStreamAsync()).CopyToAsync(copy);
                received = copy.ToArray();
            }

            await Tracker.FlushAsync();
            return (Assert.Single(services.GetRequiredService<InMemoryCostSink>().Records), received);
        }

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }

    /// <summary>A body that arrives a few bytes at a time, as a slow network delivers it.</summary>
    private sealed class TrickleStream(byte[] data, int readSize) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, readSize));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, readSize)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, readSize)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, readSize), cancellationToken);
    }
}
