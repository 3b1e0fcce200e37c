namespace LlmCost.Sdk.Tests.Records;

/// <summary>
/// <see cref="TokenUsage"/> keeps its seven rarely non-zero counts (web search, audio, image, video) in an object of its
/// own: it must still behave as a plain immutable record — each count reads back, <c>with</c> never changes the original,
/// and equality does not depend on how a zero got there.
/// </summary>
public sealed class TokenUsageExtrasTests
{
    public static TheoryData<string> RareCounts() => new()
    {
        nameof(TokenUsage.WebSearchRequests),
        nameof(TokenUsage.AudioInputTokens),
        nameof(TokenUsage.AudioOutputTokens),
        nameof(TokenUsage.ImageInputTokens),
        nameof(TokenUsage.ImageOutputTokens),
        nameof(TokenUsage.VideoInputTokens),
        nameof(TokenUsage.VideoOutputTokens),
    };

    [Fact]
    public void EveryCount_ReadsBackWhatWasSet()
    {
        var usage = new TokenUsage
        {
            InputTokens = 100,
            CachedInputTokens = 10,
            CacheWriteInputTokens = 20,
            CacheWrite1hInputTokens = 5,
            OutputTokens = 50,
            ReasoningTokens = 7,
            WebSearchRequests = 1,
            AudioInputTokens = 2,
            AudioOutputTokens = 3,
            ImageInputTokens = 4,
            ImageOutputTokens = 6,
            VideoInputTokens = 8,
            VideoOutputTokens = 9,
            Source = UsageSource.Provider,
        };

        Assert.Equal(
            (100L, 10L, 20L, 5L, 50L, 7L, 1L, 2L, 3L, 4L, 6L, 8L, 9L, UsageSource.Provider),
            (usage.InputTokens, usage.CachedInputTokens, usage.CacheWriteInputTokens, usage.CacheWrite1hInputTokens, usage.OutputTokens,
                usage.ReasoningTokens, usage.WebSearchRequests, usage.AudioInputTokens, usage.AudioOutputTokens, usage.ImageInputTokens,
                usage.ImageOutputTokens, usage.VideoInputTokens, usage.VideoOutputTokens, usage.Source));
    }

    [Theory]
    [MemberData(nameof(RareCounts))]
    public void With_ChangesTheCopyOnly(string count)
    {
        var original = Set(new TokenUsage { InputTokens = 10 }, count, 4);

        var copy = Set(original, count, 9);

        Assert.Equal(4, Get(original, count));
        Assert.Equal(9, Get(copy, count));
        Assert.NotEqual(original, copy);
        Assert.Equal(10, copy.InputTokens);
    }

    [Theory]
    [MemberData(nameof(RareCounts))]
    public void Equality_ACountSetBackToZero_EqualsOneNeverSet(string count)
    {
        var plain = new TokenUsage { InputTokens = 10, OutputTokens = 2 };

        var roundTrip = Set(Set(plain, count, 5), count, 0);
        var zeroSet = Set(plain, count, 0);

        Assert.Equal(plain, roundTrip);
        Assert.Equal(plain, zeroSet);
        Assert.Equal(plain.GetHashCode(), roundTrip.GetHashCode());
        Assert.NotEqual(plain, Set(plain, count, 1));
    }

    [Fact]
    public void Json_RareCounts_RoundTripThroughTheRecord()
    {
        var record = TestRecords.Create() with
        {
            Usage = new TokenUsage { InputTokens = 10, AudioInputTokens = 3, VideoOutputTokens = 2, WebSearchRequests = 1, Source = UsageSource.Provider },
        };

        var back = CostRecord.FromJson(record.ToJson());

        Assert.Equal(record.Usage, back.Usage);
    }

    private static TokenUsage Set(TokenUsage usage, string count, long value) => count switch
    {
        nameof(TokenUsage.WebSearchRequests) => usage with { WebSearchRequests = value },
        nameof(TokenUsage.AudioInputTokens) => usage with { AudioInputTokens = value },
        nameof(TokenUsage.AudioOutputTokens) => usage with { AudioOutputTokens = value },
        nameof(TokenUsage.ImageInputTokens) => usage with { ImageInputTokens = value },
        nameof(TokenUsage.ImageOutputTokens) => usage with { ImageOutputTokens = value },
        nameof(TokenUsage.VideoInputTokens) => usage with { VideoInputTokens = value },
        nameof(TokenUsage.VideoOutputTokens) => usage with { VideoOutputTokens = value },
        _ => throw new ArgumentOutOfRangeException(nameof(count)),
    };

    private static long Get(TokenUsage usage, string count) => count switch
    {
        nameof(TokenUsage.WebSearchRequests) => usage.WebSearchRequests,
        nameof(TokenUsage.AudioInputTokens) => usage.AudioInputTokens,
        nameof(TokenUsage.AudioOutputTokens) => usage.AudioOutputTokens,
        nameof(TokenUsage.ImageInputTokens) => usage.ImageInputTokens,
        nameof(TokenUsage.ImageOutputTokens) => usage.ImageOutputTokens,
        nameof(TokenUsage.VideoInputTokens) => usage.VideoInputTokens,
        nameof(TokenUsage.VideoOutputTokens) => usage.VideoOutputTokens,
        _ => throw new ArgumentOutOfRangeException(nameof(count)),
    };
}
