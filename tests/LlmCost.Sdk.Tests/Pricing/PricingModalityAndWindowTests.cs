using System.Globalization;

namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>
/// Rules the table gained in schema 3, on the embedded data: audio tokens at their own rates, time-of-day windows with
/// weekday and holiday rules, and price changes before and after their dates — each checked to the cent against the
/// provider's published price.
/// </summary>
public class PricingModalityAndWindowTests
{
    private static CostBreakdown Price(string provider, string model, TokenUsage usage, string utc)
    {
        var at = DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        Assert.True(new PriceResolver(PriceTable.Default).TryPrice(provider, model, null, usage, at, null, null, out var cost, out _), $"{provider}/{model}");
        return cost!;
    }

    [Fact]
    public void AudioTokens_Gpt4oAudioPreview_PricedAtTheAudioRates()
    {
        // developers.openai.com/api/docs/models/gpt-4o-audio-preview: text $2.50 / $10, audio $40 / $80 per 1M.
        var usage = new TokenUsage { InputTokens = 3_000, AudioInputTokens = 2_000, OutputTokens = 1_500, AudioOutputTokens = 1_000, Source = UsageSource.Provider };

        var cost = Price("openai", "gpt-4o-audio-preview-2025-06-03", usage, "2026-11-30T12:00:00Z");

        Assert.Equal(0.0025m + 0.08m, cost.Input); // 1,000 text x $2.50 + 2,000 audio x $40
        Assert.Equal(0.005m + 0.08m, cost.Output); // 500 text x $10 + 1,000 audio x $80
        Assert.Equal(0.1675m, cost.Total);
    }

    [Fact]
    public void AudioTokens_SameCallAsTextOnly_CostsTheTextRates()
    {
        var usage = new TokenUsage { InputTokens = 3_000, OutputTokens = 1_500, Source = UsageSource.Provider };

        Assert.Equal(0.0225m, Price("openai", "gpt-4o-audio-preview", usage, "2026-11-30T12:00:00Z").Total); // 3,000 x $2.50 + 1,500 x $10
    }

    [Fact]
    public void AudioTokens_GptAudioMini_AndAModelWithoutAnAudioRate_IsNotPricedAsText()
    {
        // gpt-audio-mini: text $0.60 / $2.40, audio $10 / $20.
        var usage = new TokenUsage { InputTokens = 1_000_000, AudioInputTokens = 1_000_000, OutputTokens = 1_000_000, AudioOutputTokens = 500_000, Source = UsageSource.Provider };
        Assert.Equal(10m + 1.2m + 10m, Price("openai", "gpt-audio-mini", usage, "2026-11-30T12:00:00Z").Total);

        // gpt-4o has no audio rate: audio tokens reported for it are not priced at its text rate (no source says they
        // bill so; audio bills far above text wherever a rate exists): the call gets no cost rather than a wrong one.
        Assert.Null(Price("openai", "gpt-4o", usage with { OutputTokens = 1_000_000 }, "2026-11-30T12:00:00Z"));
        Assert.Equal(2.5m + 10m, Price("openai", "gpt-4o", usage with { AudioInputTokens = 0, AudioOutputTokens = 0 }, "2026-11-30T12:00:00Z")!.Total);
    }

    [Theory]
    // DeepSeek V4-Pro (api-docs.deepseek.com/quick_start/pricing): off-peak $0.66 miss / $0.022 hit / $1.98 out; peak twice that.
    [InlineData("2026-11-30T12:00:00Z", "1.2672")] // Monday noon UTC: off-peak
    [InlineData("2026-11-30T09:59:59Z", "2.5344")] // Monday, inside 06:00-10:00 UTC: peak
    [InlineData("2026-11-30T10:00:00Z", "1.2672")] // the window's end is exclusive
    [InlineData("2026-11-29T02:00:00Z", "1.2672")] // Sunday: off-peak all day
    [InlineData("2026-10-06T02:00:00Z", "1.2672")] // National Day holiday (Tuesday): off-peak
    [InlineData("2026-08-22T02:00:00Z", "2.5344")] // Saturday before 2026-08-23: the windows applied every day
    [InlineData("2026-08-16T02:00:00Z", "0.611175")] // before the official release: the preview's flat $0.435 / $0.003625 / $0.87
    public void Windows_DeepSeekV4Pro_PeakOffPeakWeekendsHolidaysAndHistory(string utc, string expected)
    {
        var usage = new TokenUsage { InputTokens = 1_000_000, CachedInputTokens = 600_000, OutputTokens = 500_000, Source = UsageSource.Provider };

        // 400,000 x $0.66 + 600,000 x $0.022 + 500,000 x $1.98 = 1.2672
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Price("deepseek", "deepseek-v4-pro", usage, utc).Total);
    }

    [Theory]
    // DeepSeek V3 off-peak discount, 16:30-00:30 UTC from 2025-02-26 until V3.1 on 2025-09-05: deepseek-chat $0.135 / $0.035 / $0.55.
    [InlineData("2025-03-01T12:00:00Z", "0.26")]
    [InlineData("2025-03-01T23:00:00Z", "0.13")] // inside the window, which wraps past midnight
    [InlineData("2025-03-02T00:29:00Z", "0.13")]
    [InlineData("2025-03-02T00:30:00Z", "0.26")]
    [InlineData("2025-02-20T23:00:00Z", "0.26")] // before the discount existed
    [InlineData("2025-09-10T23:00:00Z", "0.434")] // V3.1: no more off-peak discount
    public void Windows_DeepSeekChatOffPeak_WrapsPastMidnightAndEndsWithV31(string utc, string expected)
    {
        var usage = new TokenUsage { InputTokens = 1_000_000, CachedInputTokens = 600_000, OutputTokens = 100_000, Source = UsageSource.Provider };

        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Price("deepseek", "deepseek-chat", usage, utc).Total);
    }

    [Theory]
    // Claude Sonnet 5 (platform.claude.com/docs/en/about-claude/pricing): $2 / $0.20 hits / $2.50 writes / $10, flat across 1M.
    [InlineData("anthropic", "claude-sonnet-5", 1_000_000, 0, 100_000, "3")]
    [InlineData("anthropic", "claude-sonnet-5-20260901", 500_000, 400_000, 10_000, "0.38")]
    // Gemini 3 Pro Preview above 200K: $4 / $18.
    [InlineData("gcp.gemini", "gemini-3-pro-preview", 250_000, 0, 10_000, "1.18")]
    // Groq gpt-oss-20b $0.075 / $0.30 (genai-prices).
    [InlineData("groq", "openai/gpt-oss-20b", 1_000_000, 0, 1_000_000, "0.375")]
    // xAI grok-4.5 $2 / $6.
    [InlineData("x_ai", "grok-4.5", 100_000, 0, 10_000, "0.26")]
    // Mistral Large 3 behind mistral-large-latest: $0.50 / $1.50.
    [InlineData("mistral_ai", "mistral-large-latest", 1_000_000, 0, 1_000_000, "2.0")]
    // Bedrock Nova Pro $0.80 / $3.20.
    [InlineData("aws.bedrock", "us.amazon.nova-pro-v1:0", 1_000_000, 0, 100_000, "1.12")]
    public void CurrentModels_ArePricedAtTheirPublishedRates(string provider, string model, long input, long cached, long output, string expected)
    {
        var usage = new TokenUsage { InputTokens = input, CachedInputTokens = cached, OutputTokens = output, Source = UsageSource.Provider };

        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Price(provider, model, usage, "2026-11-30T12:00:00Z").Total);
    }

    [Fact]
    public void Default_EveryEntry_HasOrderedPeriodsAndWindowsThatDoNotOverlap()
    {
        Assert.All(PriceTable.Default.Entries, entry =>
        {
            for (var i = 1; i < entry.Periods.Count; i++)
            {
                Assert.True(entry.Periods[i].EffectiveFrom > entry.Periods[i - 1].EffectiveFrom, $"{entry.Id}: periods out of order");
            }

            foreach (var period in entry.Periods)
            {
                var minutes = new HashSet<(DayOfWeek, int)>();
                foreach (var window in period.Windows)
                {
                    var days = window.Days.Count > 0 ? window.Days : Enum.GetValues<DayOfWeek>();
                    for (var m = 0; m < 24 * 60; m++)
                    {
                        var t = new TimeOnly(m / 60, m % 60);
                        var inside = window.Start <= window.End ? t >= window.Start && t < window.End : t >= window.Start || t < window.End;
                        foreach (var day in days)
                        {
                            Assert.True(!inside || minutes.Add((day, m)), $"{entry.Id} from {period.EffectiveFrom}: windows overlap at {day} {t}");
                        }
                    }
                }
            }
        });
    }

    [Fact]
    public void Default_OverriddenEntries_SayWhyAndWhereFrom()
    {
        // An override's source is the provider's page, its day is when it was read; the generator refuses one without them.
        foreach (var id in new[] { "deepseek/deepseek-v4-flash", "deepseek/deepseek-flash", "openai/gpt-4o-audio-preview", "openai/o3" })
        {
            var entry = PriceTable.Default.Find(id);
            Assert.NotNull(entry);
            Assert.StartsWith("https://", entry.Source, StringComparison.Ordinal);
            Assert.NotNull(entry.Retrieved);
        }
    }
}
