using System.Text;

namespace LlmCost.Sdk.Tests.Providers;

public class BedrockInvokeUsageMappingTests
{
    private static readonly int[] Chunkings = [1, 2, 7, 64, int.MaxValue];

    [Fact]
    public void Read_AnthropicInvokeBody_MapsToNormalizedUsageWithoutTheBodyModel()
    {
        var body = Payloads.Bytes("bedrock-invoke-anthropic.json");
        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = UsageParsing.Read(BedrockInvokeUsageMapping.Instance, body, sse: false, Math.Min(chunkSize, body.Length));

            Assert.False(malformed);
            Assert.Null(usage.Model); // the body's "claude-sonnet-4-5-20250929" is not the Bedrock id that is priced
            Assert.Equal(UsageParsing.Usage(12 + 4000 + 1500, 4000, 1500, 220, 0), usage.ToUsage());
        }
    }

    [Fact]
    public void Read_InvokeStreamChunks_DecodesEachChunkAndMapsTheLastUsage()
    {
        var body = InvokeStreamBody();
        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = AwsEventStream.Read(BedrockInvokeUsageMapping.Instance, body, chunkSize);

            Assert.False(malformed);
            Assert.Null(usage.Model);
            Assert.Equal(UsageParsing.Usage(5512, 4000, 1500, 220, 0), usage.ToUsage());
        }
    }

    [Fact]
    public void Read_InvokeStreamCutBeforeTheEnd_KeepsMessageStartUsage()
    {
        var messages = AwsEventStream.Split(InvokeStreamBody());
        var cut = AwsEventStream.Stream(messages.Take(3)); // message_start, content_block_start, one delta

        var (usage, _) = AwsEventStream.Read(BedrockInvokeUsageMapping.Instance, cut, 9);

        Assert.Equal(UsageParsing.Usage(5512, 4000, 1500, 1, 0), usage.ToUsage());
    }

    [Fact]
    public void Read_LlamaStream_UsesTheInvocationMetrics()
    {
        // Meta Llama chunks carry no usage this mapping reads; Bedrock's invocation metrics on the last one do.
        var body = AwsEventStream.Stream([
            AwsEventStream.Chunk("{\"generation\":\"Hello\",\"prompt_token_count\":18,\"generation_token_count\":1,\"stop_reason\":null}"),
            AwsEventStream.Chunk("{\"generation\":\" there\",\"prompt_token_count\":null,\"generation_token_count\":2,\"stop_reason\":null}"),
            AwsEventStream.Chunk("{\"generation\":\"\",\"prompt_token_count\":null,\"generation_token_count\":50,\"stop_reason\":\"stop\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":18,\"outputTokenCount\":50,\"invocationLatency\":1200,\"firstByteLatency\":300}}"),
        ]);

        var (usage, malformed) = AwsEventStream.Read(BedrockInvokeUsageMapping.Instance, body, 7);

        Assert.False(malformed);
        Assert.Equal(UsageParsing.Usage(18, 0, 0, 50, 0), usage.ToUsage());
    }

    [Fact]
    public void OnResponse_TokenCountHeaders_GiveUsageForAnyVendorsBody()
    {
        using var response = InvokeResponse(input: "1200", output: "300");
        var usage = new UsageAccumulator();

        BedrockInvokeUsageMapping.Instance.OnResponse(response, usage);
        Feed(usage, Payloads.Bytes("bedrock-invoke-nova.json")); // Nova's own usage names are not read: no double count

        Assert.Equal(UsageParsing.Usage(1200, 0, 0, 300, 0), usage.ToUsage());
    }

    [Fact]
    public void OnResponse_HeadersAndAnthropicBody_CountEachTokenOnce()
    {
        using var response = InvokeResponse(input: "12", output: "220", cacheRead: "4000", cacheWrite: "1500");
        var usage = new UsageAccumulator();

        BedrockInvokeUsageMapping.Instance.OnResponse(response, usage);
        Assert.Equal(UsageParsing.Usage(5512, 4000, 1500, 220, 0), usage.ToUsage());

        Feed(usage, Payloads.Bytes("bedrock-invoke-anthropic.json"));
        Assert.Equal(UsageParsing.Usage(5512, 4000, 1500, 220, 0), usage.ToUsage());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("99999999999999999999999")]
    public void OnResponse_UnreadableHeader_IsIgnored(string value)
    {
        using var response = InvokeResponse(input: value, output: "7");
        var usage = new UsageAccumulator();

        BedrockInvokeUsageMapping.Instance.OnResponse(response, usage);

        Assert.Equal(0, usage.ToUsage().InputTokens);
        Assert.Equal(7, usage.ToUsage().OutputTokens);
    }

    [Fact]
    public void OnResponse_NoHeaders_NoUsage()
    {
        using var response = new HttpResponseMessage();
        var usage = new UsageAccumulator();

        BedrockInvokeUsageMapping.Instance.OnResponse(response, usage);

        Assert.False(usage.HasUsage);
    }

    [Fact]
    public void Read_OneHourCacheWrites_AreKeptApart()
    {
        const string Body = "{\"usage\":{\"input_tokens\":3,\"cache_creation_input_tokens\":3117,\"cache_read_input_tokens\":0,\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2117},\"output_tokens\":1}}";

        var (usage, _) = UsageParsing.Read(BedrockInvokeUsageMapping.Instance, Encoding.UTF8.GetBytes(Body), sse: false, chunkSize: 5);

        Assert.Equal(3117, usage.ToUsage().CacheWriteInputTokens);
        Assert.Equal(2117, usage.ToUsage().CacheWrite1hInputTokens);
    }

    /// <summary>The chunks of Payloads/bedrock-invoke-stream-anthropic.chunks (one decoded JSON per line), framed as Bedrock sends them.</summary>
    internal static byte[] InvokeStreamBody() => AwsEventStream.Stream(
        Payloads.Text("bedrock-invoke-stream-anthropic.chunks")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(AwsEventStream.Chunk));

    internal static HttpResponseMessage InvokeResponse(string input, string output, string? cacheRead = null, string? cacheWrite = null)
    {
        var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("X-Amzn-Bedrock-Input-Token-Count", input);
        response.Headers.TryAddWithoutValidation("X-Amzn-Bedrock-Output-Token-Count", output);
        if (cacheRead is not null)
        {
            response.Headers.TryAddWithoutValidation("X-Amzn-Bedrock-Cache-Read-Input-Token-Count", cacheRead);
        }

        if (cacheWrite is not null)
        {
            response.Headers.TryAddWithoutValidation("X-Amzn-Bedrock-Cache-Write-Input-Token-Count", cacheWrite);
        }

        return response;
    }

    private static void Feed(UsageAccumulator usage, byte[] body)
    {
        var json = new JsonScanner(BedrockInvokeUsageMapping.Instance, usage);
        json.Write(body);
        json.Complete();
        Assert.False(json.Malformed);
        json.Release();
    }
}
