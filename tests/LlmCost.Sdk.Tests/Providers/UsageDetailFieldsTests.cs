namespace LlmCost.Sdk.Tests.Providers;

/// <summary>
/// The usage details issue 9 found unread, each on a real payload (SOURCES.md, "Usage details"): Anthropic's thinking
/// tokens, Mistral's cached tokens, OpenRouter's and OpenAI's cache writes, OpenAI's audio tokens — in every chunking.
/// </summary>
public class UsageDetailFieldsTests
{
    private static TokenUsage Read(UsageMapping mapping, string file, int chunkSize)
    {
        var (usage, malformed) = UsageParsing.Read(mapping, Payloads.Bytes(file), sse: false, chunkSize);
        Assert.False(malformed);
        return usage.ToUsage();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Anthropic_ThinkingTokens_AreTheReasoningPartOfTheOutput(int chunkSize)
    {
        var usage = Read(AnthropicUsageMapping.Instance, "anthropic-thinking-tokens.json", chunkSize);

        Assert.Equal(UsageParsing.Usage(13, 0, 0, 44, 33), usage); // output_tokens 44 includes thinking_tokens 33
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public void Mistral_NumCachedTokens_AreCacheReadsWithinTheInput(int chunkSize)
    {
        var usage = Read(OpenAIUsageMapping.Instance, "mistral-chat-cached.json", chunkSize);

        Assert.Equal(UsageParsing.Usage(70, 69, 0, 12, 0), usage);
    }

    [Theory]
    [InlineData("openrouter-chat-cache-write.json", 3214, 3211, 100)]
    [InlineData("openai-chat-cache-write.json", 4020, 4012, 4)]
    public void CacheWriteTokens_AreCacheWritesWithinTheInput(string file, long input, long writes, long output)
    {
        foreach (var chunkSize in new[] { 1, 5, 4096 })
        {
            Assert.Equal(UsageParsing.Usage(input, 0, writes, output, 0), Read(OpenAIUsageMapping.Instance, file, chunkSize));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(4096)]
    public void OpenAI_AudioTokens_ArePartsOfPromptAndCompletion(int chunkSize)
    {
        var usage = Read(OpenAIUsageMapping.Instance, "openai-chat-audio.json", chunkSize);

        Assert.Equal(UsageParsing.Usage(64, 0, 0, 200, 0) with { AudioInputTokens = 38, AudioOutputTokens = 159 }, usage);
    }

    [Fact]
    public async Task OpenAI_AudioCall_IsPricedAtTheAudioRatesAndTheRecordSaysSo()
    {
        var record = await EndToEnd.ProviderCall.SendAsync(
            "https://api.openai.com/v1/chat/completions",
            """{"model":"gpt-4o-audio-preview","modalities":["text","audio"],"messages":[{"role":"user","content":"Hello"}]}""",
            "openai-chat-audio.json");

        Assert.Equal("openai/gpt-4o-audio-preview", record.Price!.Entry);
        Assert.Equal(38, record.Usage.AudioInputTokens);
        Assert.Equal(159, record.Usage.AudioOutputTokens);

        // developers.openai.com/api/docs/models/gpt-4o-audio-preview: text $2.50 / $10, audio $40 / $80 per 1M.
        // Input 26 text x $2.50 + 38 audio x $40; output 41 text x $10 + 159 audio x $80.
        Assert.Equal(0.000065m + 0.00152m, record.Cost!.Input);
        Assert.Equal(0.00041m + 0.01272m, record.Cost.Output);
        Assert.Equal(0.014715m, record.Cost.Total);

        var json = CostRecordJson.Serialize(record);
        Assert.Contains("\"audioInputTokens\":38", json, StringComparison.Ordinal);
        Assert.Contains("\"audioOutputTokens\":159", json, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordJson_AudioFields_WrittenOnlyWhenNotZeroAndReadBack()
    {
        var record = TestRecords.Create() with { Usage = new TokenUsage { InputTokens = 10, AudioInputTokens = 4, OutputTokens = 5, Source = UsageSource.Provider } };

        var json = CostRecordJson.Serialize(record);
        var back = CostRecordJson.Deserialize(json);

        Assert.Contains("\"audioInputTokens\":4", json, StringComparison.Ordinal);
        Assert.DoesNotContain("audioOutputTokens", json, StringComparison.Ordinal);
        Assert.Equal(record.Usage, back.Usage);
    }
}
