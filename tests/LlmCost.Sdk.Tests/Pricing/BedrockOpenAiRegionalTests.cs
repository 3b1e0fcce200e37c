using System.Globalization;

namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>
/// GPT-5.6 Luna and Terra on Bedrock: in-Region and Geo endpoints bill 10% above global (AWS model cards, as genai-prices'
/// regional entries carry them with their launch history); the table's entry is the regional history over a 1.1 uplift.
/// </summary>
public class BedrockOpenAiRegionalTests
{
    private static decimal Price(string model, string utc, string region, long input = 100_000, long output = 100_000)
    {
        var at = DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
        var usage = new TokenUsage { InputTokens = input, OutputTokens = output, Source = UsageSource.Provider };
        Assert.True(new PriceResolver(PriceTable.Default).TryPrice(LlmProviders.AwsBedrock, model, null, usage, at, null, region, out var cost, out _), model);
        return cost!.Total;
    }

    [Theory]
    // 100K input + 100K output tokens (below the 272K long-context threshold).
    // Luna: regional $0.22 / $1.32 since the 2026-07-30 cut, $1.10 / $6.60 at launch (2026-07-13); global $0.20 / $1.20.
    [InlineData("openai.gpt-5.6-luna", "2026-11-30T12:00:00Z", "us-east-1", "0.154")]
    [InlineData("openai.gpt-5.6-luna", "2026-11-30T12:00:00Z", "global", "0.14")]
    [InlineData("openai.gpt-5.6-luna", "2026-07-20T12:00:00Z", "us-east-1", "0.77")]
    // Terra: regional $2.20 / $13.20 since the cut, $2.75 / $16.50 at launch; global $2 / $12.
    [InlineData("openai.gpt-5.6-terra", "2026-11-30T12:00:00Z", "us-west-2", "1.54")]
    [InlineData("openai.gpt-5.6-terra", "2026-11-30T12:00:00Z", "global", "1.4")]
    [InlineData("openai.gpt-5.6-terra", "2026-07-20T12:00:00Z", "eu-west-1", "1.925")]
    public void RegionalEndpoints_AreTenPercentAboveGlobal_WithTheirLaunchHistory(string model, string utc, string region, string expected)
    {
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Price(model, utc, region));
    }
}
