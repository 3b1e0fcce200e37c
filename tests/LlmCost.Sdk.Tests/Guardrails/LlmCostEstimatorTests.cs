using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>The public pre-flight estimate: tokens and worst-case cost of a request, without sending it.</summary>
public sealed class LlmCostEstimatorTests
{
    [Theory]
    [InlineData("https://api.openai.com/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_completion_tokens":500}""", "gpt-4o", 500L)]
    [InlineData("https://api.openai.com/v1/responses", """{"model":"gpt-4o","input":"Hello","max_output_tokens":300}""", "gpt-4o", 300L)]
    [InlineData("https://api.anthropic.com/v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hello"}]}""", "claude-sonnet-4-5", 1024L)]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", """{"contents":[{"role":"user","parts":[{"text":"Hello"}]}],"generationConfig":{"temperature":0.2,"maxOutputTokens":256}}""", "gemini-2.5-flash", 256L)]
    [InlineData("https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-sonnet-4-5-20250929-v1:0/converse", """{"messages":[{"role":"user","content":[{"text":"Hello"}]}],"inferenceConfig":{"maxTokens":700}}""", "anthropic.claude-sonnet-4-5-20250929-v1:0", 700L)]
    [InlineData("https://api.openai.com/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}""", "gpt-4o", 4096L)]
    public async Task EstimateAsync_ProviderShapes_ReadsModelAndMaxTokens(string url, string body, string model, long output)
    {
        await using var sp = Services();
        var estimator = sp.GetRequiredService<ILlmCostEstimator>();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        var estimate = await estimator.EstimateAsync(request);

        Assert.NotNull(estimate);
        Assert.Equal(model, estimate.Model);
        Assert.Equal(output, estimate.OutputTokens);
        Assert.Equal((Encoding.UTF8.GetByteCount(body) + 2) / 3, estimate.InputTokens);
        Assert.NotNull(estimate.Cost);
        Assert.True(estimate.Cost > 0);

        // Not consumed: the request can still be sent.
        Assert.Equal(body, await request.Content!.ReadAsStringAsync());
    }

    [Fact]
    public async Task EstimateAsync_OtherModel_PricesThatModel()
    {
        await using var sp = Services();
        var estimator = sp.GetRequiredService<ILlmCostEstimator>();
        using var request = GuardrailHost.Chat(maxTokens: 1000);

        var own = await estimator.EstimateAsync(request);
        var mini = await estimator.EstimateAsync(request, "gpt-4o-mini");

        // 28 input tokens, 1,000 output: gpt-4o $2.50/$10 per million; gpt-4o-mini $0.15/$0.60.
        Assert.Equal(0.01007m, own!.Cost);
        Assert.Equal(0.0006042m, mini!.Cost);
        Assert.Equal("gpt-4o-mini", mini.Model);
    }

    [Fact]
    public async Task EstimateAsync_NotAnLlmCall_Null()
    {
        await using var sp = Services();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://example.com/api") { Content = new StringContent("{}") };
        Assert.Null(await sp.GetRequiredService<ILlmCostEstimator>().EstimateAsync(request));
    }

    [Fact]
    public async Task EstimateAsync_RegisteredTokenCounter_Used()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILlmInputTokenCounter>(new FixedCounter());
        services.AddLlmCostTracking().ConfigureGuardrails(o => o.DefaultOutputTokens = 10);
        await using var sp = services.BuildServiceProvider();

        var estimate = await sp.GetRequiredService<ILlmCostEstimator>().EstimateAsync(GuardrailHost.Chat(maxTokens: null));

        Assert.Equal(1_000_000, estimate!.InputTokens);
        Assert.Equal(10, estimate.OutputTokens);
        Assert.False(estimate.OutputTokensFromRequest);
        Assert.Equal(2.5001m, estimate.Cost);
    }

    [Theory]
    [InlineData(1_000L, 1_000L, null)]
    [InlineData(300_000L, 64_000L, null)] // past the long-context tiers' thresholds
    [InlineData(5_000L, 2_000L, "eu-west-1")] // regional uplift
    [InlineData(0L, 0L, "us")]
    public void Price_EveryEntryOfTheDefaultTable_EqualsTheRecordPricersCost(long input, long output, string? region)
    {
        // The estimate is priced straight from the price period (no record); it must be what the records' pricer charges
        // for the same text tokens, at the same time, in the same region, for every model of the table.
        var table = PriceTable.Default;
        var pricer = new CostPricer(table);
        var at = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        foreach (var entry in table.Entries)
        {
            var record = pricer.Price(
                new CostRecord
                {
                    Provider = entry.Provider,
                    Operation = LlmOperations.Chat,
                    RequestModel = entry.Model,
                    Timestamp = at,
                    Region = region,
                    Usage = new TokenUsage { InputTokens = input, OutputTokens = output, Source = UsageSource.Estimated },
                },
                out _);

            Assert.True(record.Cost?.Total == LlmCostEstimator.Price(entry, region, input, output, at), $"{entry.Id}: record {record.Cost?.Total}, estimate {LlmCostEstimator.Price(entry, region, input, output, at)}");
        }
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking();
        return services.BuildServiceProvider();
    }

    private sealed class FixedCounter : ILlmInputTokenCounter
    {
        public long CountInputTokens(string provider, string? model, ReadOnlySpan<byte> body) => 1_000_000;
    }
}
