using System.Text;

namespace LlmCost.Sdk.Tests.Providers;

/// <summary>
/// Gemini's per-modality counts (<c>promptTokensDetails</c>, <c>candidatesTokensDetails</c>, <c>cacheTokensDetails</c>):
/// audio and image tokens priced at their own rates, in every chunking; video tokens, which no rate prices, leave the call
/// without a cost rather than priced as text.
/// </summary>
public class GeminiModalityTokensTests
{
    private static (TokenUsage Usage, bool Malformed) ReadJson(string json, int chunkSize) => ReadBytes(Encoding.UTF8.GetBytes(json), chunkSize);

    private static (TokenUsage Usage, bool Malformed) ReadBytes(byte[] bytes, int chunkSize)
    {
        var (usage, malformed) = UsageParsing.Read(GeminiUsageMapping.Instance, bytes, sse: false, chunkSize);
        return (usage.ToUsage(), malformed);
    }

    private static PricePeriod Gemini25Flash(DateOnly day) =>
        PriceTable.Default.Find("gcp.gemini/gemini-2.5-flash")!.PeriodAt(day);

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void RealAudioPrompt_AudioTokensAreThePromptsAudioPart(int chunkSize)
    {
        var (usage, malformed) = ReadBytes(Payloads.Bytes("gemini-audio-prompt.json"), chunkSize);

        Assert.False(malformed);
        Assert.Equal(UsageParsing.Usage(19655, 0, 0, 5871 + 6115, 6115) with { AudioInputTokens = 19203 }, usage);
    }

    [Fact]
    public async Task RealAudioPrompt_IsPricedAtTheAudioRateToTheCent()
    {
        var record = await EndToEnd.ProviderCall.SendAsync(
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
            """{"contents":[{"role":"user","parts":[{"text":"Transcribe this audio."}]}]}""",
            "gemini-audio-prompt.json");

        Assert.Equal("gcp.gemini/gemini-2.5-flash", record.Price!.Entry);
        Assert.Equal(19203, record.Usage.AudioInputTokens);

        // The table's gemini-2.5-flash rates (ai.google.dev/gemini-api/docs/pricing): $0.30 text / $1.00 audio input,
        // $2.50 output per 1M. 452 text x $0.30 + 19,203 audio x $1.00; (5,871 + 6,115 thinking) x $2.50.
        Assert.Equal(0.0001356m + 0.019203m, record.Cost!.Input);
        Assert.Equal(0.029965m, record.Cost.Output);
        Assert.Equal(0.0493036m, record.Cost.Total);
        Assert.Equal(4.93m, Math.Round(record.Cost.Total * 100, 2)); // 4.93 cents; at the text rate it would be 3.59
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public void Elements_ReadWhateverTheOrderOfTheirFields_AMissingCountIsZero(int chunkSize)
    {
        const string Json = """
            {"usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":40,
              "promptTokensDetails":[{"tokenCount":30,"modality":"AUDIO"},{"modality":"IMAGE","tokenCount":60},{"modality":"TEXT","tokenCount":10}],
              "candidatesTokensDetails":[{"modality":"AUDIO","tokenCount":25},{"modality":"IMAGE"},{"modality":"TEXT","tokenCount":15}]},
             "candidates":[{"content":{"parts":[{"text":"x"}]},"tokenCount":999,"modality":"AUDIO"}],
             "modelVersion":"gemini-2.5-flash"}
            """;

        var (usage, malformed) = ReadJson(Json, chunkSize);

        Assert.False(malformed);
        Assert.Equal(30, usage.AudioInputTokens);
        Assert.Equal(60, usage.ImageInputTokens);
        Assert.Equal(25, usage.AudioOutputTokens);
        Assert.Equal(0, usage.ImageOutputTokens);
        Assert.Equal(100, usage.InputTokens);
        Assert.Equal(40, usage.OutputTokens);
    }

    [Fact]
    public void CachedAudio_IsPricedAtTheCacheRateNotTwice()
    {
        const string Json = """
            {"usageMetadata":{"promptTokenCount":1000,"cachedContentTokenCount":800,"candidatesTokenCount":10,
              "promptTokensDetails":[{"modality":"AUDIO","tokenCount":900},{"modality":"TEXT","tokenCount":100}],
              "cacheTokensDetails":[{"modality":"AUDIO","tokenCount":700},{"modality":"TEXT","tokenCount":100}]},
             "modelVersion":"gemini-2.5-flash"}
            """;

        var (usage, _) = ReadJson(Json, 4096);

        Assert.Equal(200, usage.AudioInputTokens); // 900 audio, 700 of them cached
        var cost = CostCalculator.Calculate(usage, Gemini25Flash(new DateOnly(2026, 11, 1)), "USD");

        // 200 uncached audio x $1.00 + 0 uncached text; 800 cached x $0.03; 10 x $2.50.
        Assert.Equal(0.0002m, cost.Input);
        Assert.Equal(0.000024m, cost.CachedInput);
        Assert.Equal(0.000025m, cost.Output);
    }

    [Fact]
    public void VideoTokens_NoVideoRate_TheCallCannotBePricedButKeepsItsCounts()
    {
        const string Json = """
            {"candidates":[{"content":{"role":"model","parts":[{"text":"A cat."}]},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":1300,"candidatesTokenCount":3,
               "promptTokensDetails":[{"modality":"VIDEO","tokenCount":1290},{"modality":"TEXT","tokenCount":10}]},
             "modelVersion":"gemini-2.5-flash"}
            """;
        var (usage, malformed) = ReadJson(Json, 3);
        Assert.False(malformed);
        Assert.Equal(1290, usage.VideoInputTokens); // kept apart, and stored with the record (videoInputTokens)
        Assert.False(CostCalculator.CanPrice(usage, Gemini25Flash(new DateOnly(2026, 11, 1))));
        Assert.Equal(1300, usage.InputTokens);
        Assert.Equal(3, usage.OutputTokens);

        var at = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.True(new PriceResolver(PriceTable.Default).TryPrice(LlmProviders.GcpGemini, "gemini-2.5-flash", null, usage, at, null, null, out var cost, out _));
        Assert.Null(cost);
        Assert.True(new PriceResolver(PriceTable.Default).TryPrice(LlmProviders.GcpGemini, "gemini-2.5-flash", null, usage with { VideoInputTokens = 0 }, at, null, null, out cost, out _));
        Assert.NotNull(cost);
    }

    [Fact]
    public void AudioTokens_APeriodWithoutAnAudioRate_CannotBePriced()
    {
        var textOnly = PriceTable.Default.Find("openai/gpt-4o")!.PeriodAt(new DateOnly(2026, 11, 1));
        Assert.Null(textOnly.Rates.Base.AudioInput);

        var usage = new TokenUsage { InputTokens = 100, AudioInputTokens = 60, OutputTokens = 10, Source = UsageSource.Provider };

        Assert.False(CostCalculator.CanPrice(usage, textOnly));
        Assert.True(CostCalculator.CanPrice(usage with { AudioInputTokens = 0 }, textOnly));
        Assert.True(CostCalculator.CanPrice(usage, Gemini25Flash(new DateOnly(2026, 11, 1))));
    }
}
