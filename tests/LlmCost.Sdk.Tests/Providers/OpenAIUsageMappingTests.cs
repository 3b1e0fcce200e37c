namespace LlmCost.Sdk.Tests.Providers;

public class OpenAIUsageMappingTests
{
    public static TheoryData<string, bool, string, long, long, long, long> Payloads => new()
    {
        // file, sse, model, input, cached, output, reasoning (see Payloads/SOURCES.md)
        { "openai-chat.json", false, "gpt-4.1-2025-04-14", 19, 0, 10, 0 },
        { "openai-chat-cached.json", false, "gpt-4o-2024-08-06", 2006, 1920, 300, 0 },
        { "openai-chat-stream.sse", true, "gpt-3.5-turbo-0125", 10, 0, 5, 0 },
        { "openai-responses.json", false, "o1-2024-12-17", 81, 0, 1035, 832 },
        { "openai-responses-stream.sse", true, "gpt-3.5-turbo-0125", 13, 0, 12, 0 },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Read_RealPayloadInAnyChunking_MapsToNormalizedUsage(string file, bool sse, string model, long input, long cached, long output, long reasoning)
    {
        var body = LlmCost.Sdk.Tests.Payloads.Bytes(file);
        foreach (var chunkSize in new[] { 1, 2, 7, 64, 4096, body.Length })
        {
            var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, body, sse, chunkSize);

            Assert.False(malformed);
            Assert.Equal(model, usage.Model);
            Assert.Equal(UsageParsing.Usage(input, cached, 0, output, reasoning), usage.ToUsage());
        }
    }

    [Fact]
    public void Read_StreamWithoutIncludeUsage_HasModelButNoUsage()
    {
        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, LlmCost.Sdk.Tests.Payloads.Bytes("openai-chat-stream-nousage.sse"), sse: true, chunkSize: 13);

        Assert.False(malformed);
        Assert.Equal("gpt-3.5-turbo-0125", usage.Model);
        Assert.False(usage.HasUsage);
        Assert.Equal(UsageSource.None, usage.ToUsage().Source);
    }

    [Fact]
    public void Read_ErrorBody_HasNoUsage()
    {
        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, LlmCost.Sdk.Tests.Payloads.Bytes("openai-error.json"), sse: false, chunkSize: 5);

        Assert.False(malformed);
        Assert.False(usage.HasUsage);
    }

    [Fact]
    public void Read_UsageFieldsInsideContentOrArrays_AreNotMistakenForUsage()
    {
        // A completion that talks about usage, and a tool call whose arguments contain "usage", must not count.
        var body = """
            {"model":"gpt-4o","choices":[{"message":{"content":"\"usage\": {\"prompt_tokens\": 999}","tool_calls":[{"usage":{"prompt_tokens":555}}]}}],
             "metadata":{"usage":{"prompt_tokens":777}},
             "usage":{"prompt_tokens":12,"completion_tokens":3}}
            """u8.ToArray();

        var (usage, _) = UsageParsing.Read(OpenAIUsageMapping.Instance, body, sse: false, chunkSize: 3);

        Assert.Equal(UsageParsing.Usage(12, 0, 0, 3, 0), usage.ToUsage());
    }

    [Fact]
    public void Read_EmbeddingsResponse_ReadsPromptTokens()
    {
        var body = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}"""u8.ToArray();

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, body, sse: false, chunkSize: 10);

        Assert.False(malformed);
        Assert.Equal("text-embedding-3-small", usage.Model);
        Assert.Equal(UsageParsing.Usage(8, 0, 0, 0, 0), usage.ToUsage());
    }

    [Theory]
    [InlineData("openai-chat-cached.json", false)]
    [InlineData("openai-chat-stream.sse", true)]
    public void Read_ServiceTier_IsKept(string file, bool sse)
    {
        var (usage, _) = UsageParsing.Read(OpenAIUsageMapping.Instance, LlmCost.Sdk.Tests.Payloads.Bytes(file), sse, chunkSize: 11);

        Assert.Equal("default", usage.ServiceTier);
    }

    [Fact]
    public void Read_ResponsesStreamServiceTier_IsReadFromTheResponseObject()
    {
        var text = "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"model\":\"gpt-5\",\"service_tier\":\"flex\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}}\n\n";

        var (usage, _) = UsageParsing.Read(OpenAIUsageMapping.Instance, System.Text.Encoding.UTF8.GetBytes(text), sse: true, chunkSize: 5);

        Assert.Equal("flex", usage.ServiceTier);
        Assert.Equal(4, usage.ToUsage().OutputTokens);
    }
}
