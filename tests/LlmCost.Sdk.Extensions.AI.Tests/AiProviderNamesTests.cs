using LlmCost.Sdk.Extensions.AI;

namespace LlmCost.Sdk.Extensions.AI.Tests;

public sealed class AiProviderNamesTests
{
    [Theory]
    [InlineData("openai", "openai")]          // Microsoft.Extensions.AI.OpenAI
    [InlineData("anthropic", "anthropic")]    // the Anthropic SDK's AsIChatClient
    [InlineData("OpenAI", "openai")]
    [InlineData("azure_openai", "azure.ai.openai")]
    [InlineData("bedrock", "aws.bedrock")]
    [InlineData("gemini", "gcp.gemini")]
    [InlineData("gcp.gen_ai", "gcp.gen_ai")]
    [InlineData("mistral", "mistral_ai")]
    [InlineData("ollama", "ollama")]          // unknown names are kept, lower-cased
    [InlineData("", "unknown")]
    [InlineData(null, "unknown")]
    public void Normalize_AdapterProviderName_ReturnsGenAIProviderName(string? providerName, string expected) =>
        Assert.Equal(expected, AiProviderNames.Normalize(providerName));
}
