using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>
/// The estimate's output tokens: the request's max-tokens field, else the model's documented maximum from the price
/// table (<see cref="PriceEntry.MaxOutputTokens"/>), else <see cref="LlmGuardrailOptions.DefaultOutputTokens"/>.
/// </summary>
public sealed class LlmCostEstimatorOutputTokensTests
{
    private static async Task<LlmCostEstimate> EstimateAsync(string url, string body)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking();
        await using var sp = services.BuildServiceProvider();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        return (await sp.GetRequiredService<ILlmCostEstimator>().EstimateAsync(request))!;
    }

    [Theory]
    // platform.claude.com/docs/en/models: Claude Sonnet 5 writes at most 128K tokens, Haiku 4.5 64K.
    [InlineData("https://api.anthropic.com/v1/messages", """{"model":"claude-sonnet-5","messages":[{"role":"user","content":"Hi"}]}""", 128_000L)]
    [InlineData("https://api.anthropic.com/v1/messages", """{"model":"claude-haiku-4-5-20251001","messages":[{"role":"user","content":"Hi"}]}""", 64_000L)]
    // api-docs.deepseek.com/quick_start/pricing: "MAX OUTPUT: MAXIMUM: 384K".
    [InlineData("https://api.deepseek.com/chat/completions", """{"model":"deepseek-flash","messages":[{"role":"user","content":"Hi"}]}""", 393_216L)]
    public async Task EstimateAsync_NoMaxTokensField_UsesTheModelsMaximumFromTheTable(string url, string body, long expected)
    {
        var estimate = await EstimateAsync(url, body);

        Assert.Equal(expected, estimate.OutputTokens);
        Assert.Equal(LlmOutputTokensSource.ModelMaximum, estimate.OutputTokensSource);
        Assert.False(estimate.OutputTokensFromRequest);
        Assert.NotNull(estimate.Cost);
    }

    [Fact]
    public async Task EstimateAsync_ModelMaximum_PricesTheWorstCase()
    {
        const string Body = """{"model":"claude-sonnet-5","messages":[{"role":"user","content":"Hi"}]}""";
        var estimate = await EstimateAsync("https://api.anthropic.com/v1/messages", Body);

        // Claude Sonnet 5: $2 input, $10 output per million; 128,000 output tokens are $1.28.
        Assert.Equal((estimate.InputTokens * 2m * 0.000001m) + 1.28m, estimate.Cost);
    }

    [Fact]
    public async Task EstimateAsync_RequestField_WinsOverTheModelsMaximum()
    {
        var estimate = await EstimateAsync("https://api.anthropic.com/v1/messages", """{"model":"claude-sonnet-5","max_tokens":1000,"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(1000, estimate.OutputTokens);
        Assert.Equal(LlmOutputTokensSource.Request, estimate.OutputTokensSource);
        Assert.True(estimate.OutputTokensFromRequest);
    }

    [Fact]
    public async Task EstimateAsync_ModelWithoutADocumentedMaximum_TheDefault()
    {
        var estimate = await EstimateAsync("https://api.openai.com/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Null(PriceTable.Default.Find("openai/gpt-4o")!.MaxOutputTokens);
        Assert.Equal(4096, estimate.OutputTokens);
        Assert.Equal(LlmOutputTokensSource.Default, estimate.OutputTokensSource);
    }

    [Fact]
    public void PriceTable_MaxOutputTokens_ReadAndValidated()
    {
        var table = PriceTable.Parse("""
            {"schemaVersion":3,"version":"m.1","entries":[{"provider":"openai","model":"m","maxOutputTokens":32768,"periods":[{"effectiveFrom":"2026-01-01","input":1,"output":2}]}]}
            """);
        Assert.True(table.TryGetEntry("openai", "m", out var entry));
        Assert.Equal(32_768, entry.MaxOutputTokens);

        var ex = Assert.Throws<PriceTableException>(() => PriceTable.Parse("""
            {"schemaVersion":3,"version":"m.1","entries":[{"provider":"openai","model":"m","maxOutputTokens":0,"periods":[{"effectiveFrom":"2026-01-01","input":1,"output":2}]}]}
            """));
        Assert.Contains("'openai/m': 'maxOutputTokens' must be a positive integer", ex.Message, StringComparison.Ordinal);
    }
    [Fact]
    public async Task EstimateAsync_ConfiguredPriceForAModelWithAMaximum_KeepsTheMaximum()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Prices.Add(new ModelPrice { Provider = "anthropic", Model = "claude-sonnet-5", Input = 1m, Output = 5m }));
        await using var sp = services.BuildServiceProvider();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-5","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };

        var estimate = (await sp.GetRequiredService<ILlmCostEstimator>().EstimateAsync(request))!;

        Assert.Equal(128_000, estimate.OutputTokens);
        Assert.Equal(LlmOutputTokensSource.ModelMaximum, estimate.OutputTokensSource);
        Assert.Equal((estimate.InputTokens * 1m * 0.000001m) + 0.64m, estimate.Cost); // the configured $1 / $5
    }
}
