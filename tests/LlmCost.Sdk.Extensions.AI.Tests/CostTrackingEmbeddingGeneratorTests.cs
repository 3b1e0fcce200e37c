using Microsoft.Extensions.AI;

namespace LlmCost.Sdk.Extensions.AI.Tests;

public sealed class CostTrackingEmbeddingGeneratorTests
{
    [Fact]
    public async Task GenerateAsync_Usage_RecordsEmbeddingsOperationAndExactCost()
    {
        await using var services = TestServices.Create();
        var embeddings = new GeneratedEmbeddings<Embedding<float>>([new Embedding<float>(new float[] { 0.1f, 0.2f }) { ModelId = "text-embedding-3-small" }])
        {
            Usage = new UsageDetails { InputTokenCount = 1200, TotalTokenCount = 1200 },
        };
        using var inner = new TestEmbeddingGenerator { GenerateAsyncCallback = (_, _, _) => Task.FromResult(embeddings) };
        using var generator = inner.AsBuilder().UseLlmCostTracking().Build(services);

        var options = new EmbeddingGenerationOptions { AdditionalProperties = new() { [LlmCostChatOptionsKeys.Feature] = "search-index" } };
        var result = await generator.GenerateAsync(["The food was delicious"], options);

        Assert.Same(embeddings, result);
        var record = await services.SingleRecordAsync();
        Assert.Equal("openai", record.Provider);
        Assert.Equal("embeddings", record.Operation);
        Assert.Equal("text-embedding-3-small", record.Model);
        Assert.Equal("text-embedding-3-small", record.RequestModel);
        Assert.False(record.Streaming);
        Assert.Null(record.ErrorType);
        Assert.Equal("search-index", record.Tags.Feature);
        Assert.Equal("platform", record.Tags.Team);
        Assert.Equal(new TokenUsage { InputTokens = 1200, Source = UsageSource.Provider }, record.Usage);

        // text-embedding-3-small: $0.02 per 1M input tokens: 1200 × 0.02 / 1M = 0.000024
        Assert.Equal(new CostBreakdown { Input = 0.000024m, CachedInput = 0m, CacheWrite = 0m, Output = 0m, Total = 0.000024m }, record.Cost);
        Assert.Equal("openai/text-embedding-3-small", record.Price?.Entry);
    }

    [Fact]
    public async Task GenerateAsync_InnerThrows_SameExceptionReachesCallerAndOneRecordHasErrorType()
    {
        await using var services = TestServices.Create();
        var thrown = new TimeoutException();
        using var inner = new TestEmbeddingGenerator { GenerateAsyncCallback = (_, _, _) => Task.FromException<GeneratedEmbeddings<Embedding<float>>>(thrown) };
        using var generator = inner.AsBuilder().UseLlmCostTracking(new LlmCostTags { Team = "search" }).Build(services);

        var caught = await Assert.ThrowsAsync<TimeoutException>(() => generator.GenerateAsync(["x"]));

        Assert.Same(thrown, caught);
        var record = await services.SingleRecordAsync();
        Assert.Equal("embeddings", record.Operation);
        Assert.Equal("System.TimeoutException", record.ErrorType);
        Assert.Equal("search", record.Tags.Team);
        Assert.Equal(TokenUsage.None, record.Usage);
    }

    [Fact]
    public async Task GenerateAsync_TrackedByHttp_DecoratorStandsAside()
    {
        await using var services = TestServices.Create();
        using var inner = new TestEmbeddingGenerator
        {
            GenerateAsyncCallback = (_, _, _) =>
            {
                LlmCall.Current!.MarkTrackedByHttp(); // what the HTTP handler does when it tracks the request
                return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>() { Usage = new UsageDetails { InputTokenCount = 8 } });
            },
        };
        using var generator = inner.AsBuilder().UseLlmCostTracking().Build(services);

        await generator.GenerateAsync(["x"]);

        Assert.Empty(await services.RecordsAsync());
    }
}
