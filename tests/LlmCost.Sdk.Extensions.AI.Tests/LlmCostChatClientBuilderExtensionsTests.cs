using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Extensions.AI.Tests;

public sealed class LlmCostChatClientBuilderExtensionsTests
{
    [Fact]
    public void UseLlmCostTracking_NullBuilder_Throws()
    {
        Assert.Throws<ArgumentNullException>("builder", () => ((ChatClientBuilder)null!).UseLlmCostTracking());
        Assert.Throws<ArgumentNullException>("builder", () => ((EmbeddingGeneratorBuilder<string, Embedding<float>>)null!).UseLlmCostTracking());
    }

    [Fact]
    public void Build_WithoutAddLlmCostTracking_ThrowsWithMessageThatSaysWhatToDo()
    {
        using var services = new ServiceCollection().BuildServiceProvider();
        using var inner = new TestChatClient();

        var ex = Assert.Throws<InvalidOperationException>(() => inner.AsBuilder().UseLlmCostTracking().Build(services));
        Assert.Contains("AddLlmCostTracking()", ex.Message, StringComparison.Ordinal);

        using var generator = new TestEmbeddingGenerator();
        ex = Assert.Throws<InvalidOperationException>(() => generator.AsBuilder().UseLlmCostTracking().Build());
        Assert.Contains("AddLlmCostTracking()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddChatClient_UseLlmCostTracking_ResolvesTheRecorderFromTheApplicationServices()
    {
        await using var services = TestServices.Create(services: s =>
            s.AddChatClient(new TestChatClient
            {
                GetResponseAsyncCallback = (_, _, _) => Task.FromResult(new ChatResponse([]) { Usage = new UsageDetails { InputTokenCount = 1, OutputTokenCount = 1 } }),
            })
            .UseLlmCostTracking());

        await services.GetRequiredService<IChatClient>().GetResponseAsync("Hello");

        Assert.Equal("chat", (await services.SingleRecordAsync()).Operation);
    }
}
