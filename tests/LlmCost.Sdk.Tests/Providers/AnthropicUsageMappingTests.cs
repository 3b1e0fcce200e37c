namespace LlmCost.Sdk.Tests.Providers;

public class AnthropicUsageMappingTests
{
    public static TheoryData<string, bool, string, long, long, long, long> Payloads => new()
    {
        // file, sse, model, input (incl. cache), cache read, cache write, output (see Payloads/SOURCES.md)
        { "anthropic-messages.json", false, "claude-sonnet-4-6", 15, 0, 0, 35 },
        { "anthropic-messages-cache.json", false, "claude-sonnet-4-5-20250929", 3 + 3117 + 14723, 14723, 3117, 1 },
        { "anthropic-messages-stream.sse", true, "claude-sonnet-4-5-20250929", 25, 0, 0, 15 },
        { "anthropic-messages-stream-wire.sse", true, "claude-sonnet-4-6", 17, 0, 0, 37 },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Read_RealPayloadInAnyChunking_MapsToNormalizedUsage(string file, bool sse, string model, long input, long cacheRead, long cacheWrite, long output)
    {
        var body = LlmCost.Sdk.Tests.Payloads.Bytes(file);
        foreach (var chunkSize in new[] { 1, 3, 16, 1024, body.Length })
        {
            var (usage, malformed) = UsageParsing.Read(AnthropicUsageMapping.Instance, body, sse, chunkSize);

            Assert.False(malformed);
            Assert.Equal(model, usage.Model);
            Assert.Equal(UsageParsing.Usage(input, cacheRead, cacheWrite, output, 0), usage.ToUsage());
        }
    }

    [Fact]
    public void Read_StreamCutAfterMessageStart_KeepsInputTokens()
    {
        var text = LlmCost.Sdk.Tests.Payloads.Text("anthropic-messages-stream.sse");
        var cut = text[..text.IndexOf("event: content_block_delta", StringComparison.Ordinal)];

        var (usage, _) = UsageParsing.Read(AnthropicUsageMapping.Instance, System.Text.Encoding.UTF8.GetBytes(cut), sse: true, chunkSize: 50);

        Assert.Equal(25, usage.ToUsage().InputTokens);
        Assert.Equal(1, usage.ToUsage().OutputTokens);
    }

    [Fact]
    public void Read_ErrorBody_HasNoUsage()
    {
        var (usage, malformed) = UsageParsing.Read(AnthropicUsageMapping.Instance, LlmCost.Sdk.Tests.Payloads.Bytes("anthropic-error.json"), sse: false, chunkSize: 5);

        Assert.False(malformed);
        Assert.False(usage.HasUsage);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_OneHourCacheWrites_AreKeptApartFromFiveMinuteWrites(bool sse)
    {
        const string Usage = "{\"input_tokens\":3,\"cache_creation_input_tokens\":3117,\"cache_read_input_tokens\":0,\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2117},\"output_tokens\":1}";
        var text = sse
            ? "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5\",\"usage\":" + Usage + "}}\n\n"
            : "{\"model\":\"claude-sonnet-4-5\",\"usage\":" + Usage + "}";

        var (usage, _) = UsageParsing.Read(AnthropicUsageMapping.Instance, System.Text.Encoding.UTF8.GetBytes(text), sse, chunkSize: 7);

        Assert.Equal(3117, usage.ToUsage().CacheWriteInputTokens);
        Assert.Equal(2117, usage.ToUsage().CacheWrite1hInputTokens);
    }

    [Theory]
    [InlineData("anthropic-messages.json", false)]
    [InlineData("anthropic-messages-stream-wire.sse", true)]
    public void Read_ServiceTier_IsKept(string file, bool sse)
    {
        var (usage, _) = UsageParsing.Read(AnthropicUsageMapping.Instance, LlmCost.Sdk.Tests.Payloads.Bytes(file), sse, chunkSize: 11);

        Assert.Equal("standard", usage.ServiceTier);
    }
}
