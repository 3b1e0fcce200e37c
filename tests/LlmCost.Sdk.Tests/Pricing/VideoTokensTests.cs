using System.Text;

namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>
/// Gemini VIDEO tokens: kept in the record (<c>usage.videoInputTokens</c>), so a stored record is re-priced as the live
/// call was priced — at a published video rate where the table has one, else with no cost, never at the text rate.
/// </summary>
public class VideoTokensTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private const string VideoResponse = """
        {"candidates":[{"content":{"role":"model","parts":[{"text":"A cat."}]},"finishReason":"STOP"}],
         "usageMetadata":{"promptTokenCount":1300,"candidatesTokenCount":3,"cachedContentTokenCount":290,
           "promptTokensDetails":[{"modality":"VIDEO","tokenCount":1290},{"modality":"TEXT","tokenCount":10}],
           "cacheTokensDetails":[{"modality":"VIDEO","tokenCount":290}]},
         "modelVersion":"gemini-2.5-flash"}
        """;

    private static CostRecord Record(string model, TokenUsage usage) => TestRecords.Create() with
    {
        Provider = LlmProviders.GcpGemini,
        Operation = "chat",
        Model = model,
        Timestamp = At,
        Usage = usage,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public void Read_VideoPrompt_VideoTokensLessTheirCachedPart(int chunkSize)
    {
        var (accumulator, malformed) = UsageParsing.Read(GeminiUsageMapping.Instance, Encoding.UTF8.GetBytes(VideoResponse), sse: false, chunkSize);
        var usage = accumulator.ToUsage();

        Assert.False(malformed);
        Assert.Equal(1300, usage.InputTokens);
        Assert.Equal(290, usage.CachedInputTokens);
        Assert.Equal(1000, usage.VideoInputTokens); // 1,290 video, 290 of them read from the cache at the cache rate
        Assert.Equal(0, usage.VideoOutputTokens);
    }

    [Fact]
    public void Json_VideoTokens_WrittenWhenNotZeroAndReadBack()
    {
        var usage = new TokenUsage { InputTokens = 1300, VideoInputTokens = 1000, OutputTokens = 20, VideoOutputTokens = 5, Source = UsageSource.Provider };
        var json = Record("gemini-2.5-flash", usage).ToJson();

        Assert.Contains("\"videoInputTokens\":1000", json, StringComparison.Ordinal);
        Assert.Contains("\"videoOutputTokens\":5", json, StringComparison.Ordinal);
        Assert.Equal(usage, CostRecord.FromJson(json).Usage);

        var text = Record("gemini-2.5-flash", usage with { VideoInputTokens = 0, VideoOutputTokens = 0 }).ToJson();
        Assert.DoesNotContain("video", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reprice_StoredRecordWithVideoTokens_NoVideoRate_StaysUnpriced()
    {
        // gemini-2.5-flash publishes no video rate in the table: the live call had no cost, and neither has its re-price,
        // where before the count was lost and the stored record was re-priced with its video tokens at the text rate.
        var usage = new TokenUsage { InputTokens = 1300, CachedInputTokens = 290, VideoInputTokens = 1000, OutputTokens = 3, Source = UsageSource.Provider };
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(Record("gemini-2.5-flash", usage).ToJson() + "\n"));
        using var output = new MemoryStream();

        Assert.Equal(1, await new CostRecordRepricer(PriceTable.Default).RepriceJsonLinesAsync(input, output));

        var repriced = CostRecord.FromJson(Encoding.UTF8.GetString(output.ToArray()).Trim());
        Assert.Null(repriced.Cost);
        Assert.Equal("gcp.gemini/gemini-2.5-flash", repriced.Price!.Entry);
        Assert.Equal(1000, repriced.Usage.VideoInputTokens);

        // Without the video part the same counts are priced: the null cost is the video tokens', not the model's.
        Assert.NotNull(new CostRecordRepricer(PriceTable.Default).Reprice(Record("gemini-2.5-flash", usage with { VideoInputTokens = 0 })).Cost);
    }

    [Fact]
    public void Reprice_VideoTokens_ModelWithAVideoRate_PricedAtIt()
    {
        // gemini-3.5-flash-lite: $0.30 input, text / image / video alike (genai-prices 0.1.8 quoting ai.google.dev/gemini-api/docs/pricing);
        // $0.03 cache reads, $2.50 output. 10 text + 1,000 video at $0.30, 290 cached at $0.03, 3 output at $2.50.
        var usage = new TokenUsage { InputTokens = 1300, CachedInputTokens = 290, VideoInputTokens = 1000, OutputTokens = 3, Source = UsageSource.Provider };
        var rates = PriceTable.Default.Find("gcp.gemini/gemini-3.5-flash-lite")!.PeriodAt(At).Rates.Base;
        Assert.Equal(rates.Input, rates.VideoInput);

        var cost = new CostRecordRepricer(PriceTable.Default).Reprice(CostRecord.FromJson(Record("gemini-3.5-flash-lite", usage).ToJson())).Cost!;

        Assert.Equal((1010 * rates.Input * 0.000001m) + (290 * rates.CachedInput!.Value * 0.000001m), cost.Input + cost.CachedInput);
        Assert.Equal(1010 * rates.Input * 0.000001m, cost.Input);
        Assert.Equal(cost.Input + cost.CachedInput + cost.CacheWrite + cost.Output, cost.Total);
    }

    [Fact]
    public void CanPrice_VideoOutput_NeverPriced()
    {
        var period = PriceTable.Default.Find("gcp.gemini/gemini-3.5-flash-lite")!.PeriodAt(At);
        var usage = new TokenUsage { InputTokens = 10, OutputTokens = 100, VideoOutputTokens = 90, Source = UsageSource.Provider };

        Assert.False(CostCalculator.CanPrice(usage, period));
        Assert.True(CostCalculator.CanPrice(usage with { VideoOutputTokens = 0 }, period));
    }

    [Fact]
    public void PriceTable_VideoInputRate_ReadValidatedAndNeverFallsBackToInput()
    {
        var table = PriceTable.Parse("""
            {"schemaVersion":3,"version":"v.1","entries":[
              {"provider":"gcp.gemini","model":"with-video","periods":[{"effectiveFrom":"2026-01-01","input":1,"output":2,"videoInput":0.5}]},
              {"provider":"gcp.gemini","model":"without","periods":[{"effectiveFrom":"2026-01-01","input":1,"output":2}]}]}
            """);

        Assert.Equal(0.5m, table.Find("gcp.gemini/with-video")!.Periods[0].Rates.Base.VideoInput);
        Assert.Null(table.Find("gcp.gemini/without")!.Periods[0].Rates.Base.VideoInput);
        Assert.Contains("'videoInput' is negative", Assert.Throws<PriceTableException>(() => PriceTable.Parse("""
            {"schemaVersion":3,"version":"v.1","entries":[{"provider":"gcp.gemini","model":"m","periods":[{"effectiveFrom":"2026-01-01","input":1,"output":2,"videoInput":-1}]}]}
            """)).Message, StringComparison.Ordinal);
    }
}
