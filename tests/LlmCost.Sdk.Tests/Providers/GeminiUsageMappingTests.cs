using System.Text;

namespace LlmCost.Sdk.Tests.Providers;

/// <summary>
/// Gemini API and Vertex AI <c>generateContent</c> usage, read from real payloads (see Payloads/SOURCES.md) in every
/// chunking: <c>promptTokenCount</c> (cached content included) + <c>toolUsePromptTokenCount</c> is the input,
/// <c>candidatesTokenCount</c> + <c>thoughtsTokenCount</c> the output, the thoughts the reasoning, and
/// <c>cachedContentTokenCount</c> the cache reads.
/// </summary>
public class GeminiUsageMappingTests
{
    private static readonly int[] ChunkSizes = [1, 2, 7, 64, int.MaxValue];

    public static TheoryData<string, bool, string?, long, long, long, long, long> Payloads => new()
    {
        // file, sse, model, input, cache read, output, reasoning, the payload's last totalTokenCount
        { "gemini-generate-content.json", false, "gemini-2.0-flash", 7, 0, 22, 0, 29 },
        { "gemini-thinking.json", false, "gemini-2.5-flash", 14, 0, 2 + 24, 24, 40 },
        { "vertex-implicit-caching.json", false, "gemini-2.5-flash", 12013, 11243, 15 + 73, 73, 12101 },
        { "gemini-long-context.json", false, "gemini-2.5-pro", 248312, 0, 1204 + 1876, 1876, 251392 },
        { "gemini-stream-thinking.sse", true, "gemini-2.5-flash", 10, 0, 48 + 540, 540, 598 },
        { "gemini-stream-code-execution.sse", true, "gemini-2.5-flash", 21 + 243, 0, 126 + 95, 95, 485 },
        { "vertex-stream-thinking.sse", true, "gemini-2.5-flash", 9, 0, 134 + 1067, 1067, 1210 },
        { "gemini-stream-array.json", false, "gemini-2.0-flash", 8, 0, 12, 0, 20 },
        { "vertex-stream-array.json", false, null, 262, 0, 59, 0, 321 },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Read_RealPayloadInAnyChunking_MapsEveryNormalizedField(string file, bool sse, string? model, long input, long cacheRead, long output, long reasoning, long totalTokenCount)
    {
        var body = LlmCost.Sdk.Tests.Payloads.Bytes(file);
        foreach (var chunkSize in ChunkSizes)
        {
            var (usage, malformed) = UsageParsing.Read(GeminiUsageMapping.Instance, body, sse, Math.Min(chunkSize, body.Length));

            Assert.False(malformed);
            Assert.Equal(model, usage.Model);
            Assert.Null(usage.ServiceTier);
            Assert.Null(usage.ReportedCost);
            var normalized = usage.ToUsage();
            Assert.Equal(UsageParsing.Usage(input, cacheRead, 0, output, reasoning), normalized);
            Assert.Equal(0, normalized.CacheWrite1hInputTokens);
            Assert.Equal(0, normalized.WebSearchRequests);

            // totalTokenCount is not read, but it is the sum of what is: prompt + tool-use prompt + candidates + thoughts.
            Assert.Equal(totalTokenCount, normalized.InputTokens + normalized.OutputTokens);
        }
    }

    [Fact]
    public void Read_StreamCutAfterFirstChunk_KeepsTheUsageSoFar()
    {
        // Each chunk carries the cumulative usage: after the first, 10 prompt tokens and 70 thought tokens were billed.
        var events = StubReply.SplitEvents(LlmCost.Sdk.Tests.Payloads.Bytes("gemini-stream-thinking.sse"));

        var (usage, malformed) = UsageParsing.Read(GeminiUsageMapping.Instance, events[0], sse: true, chunkSize: 9);

        Assert.False(malformed);
        Assert.Equal("gemini-2.5-flash", usage.Model);
        Assert.Equal(UsageParsing.Usage(10, 0, 0, 70, 70), usage.ToUsage());
    }

    [Fact]
    public void Read_StreamCutAfterThirdChunk_LaterChunksReplaceEarlierCounts()
    {
        var events = StubReply.SplitEvents(LlmCost.Sdk.Tests.Payloads.Bytes("gemini-stream-thinking.sse"));
        byte[] firstThree = [.. events[0], .. events[1], .. events[2]];

        var (usage, _) = UsageParsing.Read(GeminiUsageMapping.Instance, firstThree, sse: true, chunkSize: firstThree.Length);

        // 70, then 318, then 540 thoughts: the last replaces the others, nothing is summed.
        Assert.Equal(UsageParsing.Usage(10, 0, 0, 540, 540), usage.ToUsage());
    }

    [Fact]
    public void Read_VertexStreamCutBeforeLastChunk_HasModelButNoUsage()
    {
        // Vertex AI sends only trafficType in the usageMetadata of all but the last chunk.
        var events = StubReply.SplitEvents(LlmCost.Sdk.Tests.Payloads.Bytes("vertex-stream-thinking.sse"));
        byte[] allButLast = [.. events.SkipLast(1).SelectMany(e => e)];

        var (usage, malformed) = UsageParsing.Read(GeminiUsageMapping.Instance, allButLast, sse: true, chunkSize: 64);

        Assert.False(malformed);
        Assert.Equal("gemini-2.5-flash", usage.Model);
        Assert.False(usage.HasUsage);
        Assert.Equal(TokenUsage.None, usage.ToUsage());
    }

    [Fact]
    public void Read_SseEventsAfterTheModelIsKnown_AreStillRead()
    {
        // Regression: the SSE reader skips whole events without a "usage" key once the model is known; Gemini's key is
        // "usageMetadata", so every chunk after the first was skipped and the final counts were lost.
        var body = LlmCost.Sdk.Tests.Payloads.Bytes("gemini-stream-code-execution.sse");

        var (usage, _) = UsageParsing.Read(GeminiUsageMapping.Instance, body, sse: true, chunkSize: body.Length);

        Assert.Equal(21 + 243, usage.ToUsage().InputTokens);
        Assert.Equal(126 + 95, usage.ToUsage().OutputTokens);
    }

    [Fact]
    public void Read_ArrayStreamCutMidElement_IsMalformedAndItsUsageIsNotClaimedAsTheProviders()
    {
        // Issue 12: a body that ends before its JSON document is complete is incomplete. The complete elements said 8
        // input tokens so far, but the totals were cut off: never priced as if the provider had reported them.
        var text = LlmCost.Sdk.Tests.Payloads.Text("gemini-stream-array.json");
        var cut = text[..text.IndexOf("\"candidatesTokenCount\"", StringComparison.Ordinal)];

        var (usage, malformed) = UsageParsing.Read(GeminiUsageMapping.Instance, Encoding.UTF8.GetBytes(cut), sse: false, chunkSize: 7);

        Assert.True(malformed);
        Assert.True(usage.HasUsage);
        Assert.Equal(TokenUsage.None, usage.ToUsage());
    }

    [Theory]
    [InlineData("""{"candidates":[{"usageMetadata":{"promptTokenCount":5}}],"modelVersion":"gemini-2.5-flash"}""")]
    [InlineData("""{"response":{"usageMetadata":{"promptTokenCount":5}},"modelVersion":"gemini-2.5-flash"}""")]
    [InlineData("""{"usageMetadata":{"promptTokensDetails":[{"modality":"TEXT","tokenCount":5}],"trafficType":"ON_DEMAND"},"modelVersion":"gemini-2.5-flash"}""")]
    public void Read_CountsOutsideTopLevelUsageMetadata_AreIgnored(string json)
    {
        var (usage, malformed) = UsageParsing.Read(GeminiUsageMapping.Instance, Encoding.UTF8.GetBytes(json), sse: false, chunkSize: 3);

        Assert.False(malformed);
        Assert.Equal("gemini-2.5-flash", usage.Model);
        Assert.False(usage.HasUsage);
    }

    [Fact]
    public void Read_ErrorBody_HasNoUsage()
    {
        // The Gemini API's error shape (google.rpc.Status), e.g. a 429 RESOURCE_EXHAUSTED.
        const string Error = """{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}""";

        var (usage, malformed) = UsageParsing.Read(GeminiUsageMapping.Instance, Encoding.UTF8.GetBytes(Error), sse: false, chunkSize: 5);

        Assert.False(malformed);
        Assert.False(usage.HasUsage);
        Assert.Null(usage.Model);
    }
}
