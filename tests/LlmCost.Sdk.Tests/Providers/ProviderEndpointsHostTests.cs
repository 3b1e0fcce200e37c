namespace LlmCost.Sdk.Tests.Providers;

public class ProviderEndpointsHostTests
{
    private static LlmCallTarget? Resolve(string url, string method = "POST")
    {
        var endpoints = new ProviderEndpoints([]);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        return endpoints.TryResolve(request, null, out var target) ? target : null;
    }

    [Theory]
    [InlineData("https://api.openai.com/v1/chat/completions", "openai", "chat")]
    [InlineData("https://api.openai.com/v1/responses", "openai", "chat")]
    [InlineData("https://api.openai.com/v1/embeddings", "openai", "embeddings")]
    [InlineData("https://api.anthropic.com/v1/messages", "anthropic", "chat")]
    [InlineData("https://myres.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21", "azure.ai.openai", "chat")]
    [InlineData("https://myres.openai.azure.com/openai/v1/chat/completions", "azure.ai.openai", "chat")]
    [InlineData("https://myres.cognitiveservices.azure.com/openai/deployments/emb/embeddings?api-version=2024-10-21", "azure.ai.openai", "embeddings")]
    [InlineData("https://myres.openai.azure.com/openai/v1/responses", "azure.ai.openai", "chat")]
    [InlineData("https://api.mistral.ai/v1/chat/completions", "mistral_ai", "chat")]
    [InlineData("https://api.mistral.ai/v1/fim/completions", "mistral_ai", "text_completion")]
    [InlineData("https://api.mistral.ai/v1/embeddings", "mistral_ai", "embeddings")]
    [InlineData("https://api.deepseek.com/chat/completions", "deepseek", "chat")]
    [InlineData("https://api.groq.com/openai/v1/chat/completions", "groq", "chat")]
    [InlineData("https://api.x.ai/v1/chat/completions", "x_ai", "chat")]
    [InlineData("https://api.x.ai/v1/messages", "x_ai", "chat")]
    [InlineData("https://openrouter.ai/api/v1/chat/completions", "openrouter", "chat")]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/openai/chat/completions", "gcp.gemini", "chat")]
    public void TryResolve_KnownHostAndPath_NamesProviderAndOperation(string url, string provider, string operation)
    {
        var target = Resolve(url);

        Assert.NotNull(target);
        Assert.Equal(provider, target!.Provider);
        Assert.Equal(operation, target!.Operation);
    }

    [Fact]
    public void TryResolve_AzureDeploymentShape_NamesTheDeployment()
    {
        var target = Resolve("https://myres.openai.azure.com/openai/deployments/prod%20gpt-4o/chat/completions?api-version=2024-10-21");

        Assert.Equal("prod gpt-4o", target!.UrlModel);
        Assert.False(target!.UrlModelIsServed);
        Assert.Same(OpenAIUsageMapping.Instance, target!.Mapping);
    }

    [Theory]
    [InlineData("https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us", false)]
    [InlineData("https://bedrock-runtime.eu-west-1.amazonaws.com/model/global.anthropic.claude-sonnet-4-5-20250929-v1:0/converse-stream", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "global", true)]
    [InlineData("https://bedrock-runtime.us-west-2.amazonaws.com/model/amazon.nova-pro-v1:0/invoke", "amazon.nova-pro-v1:0", "us-west-2", false)]
    [InlineData("https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-3-7-sonnet-20250219-v1%3A0/invoke-with-response-stream", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "eu", true)]
    public void TryResolve_Bedrock_TakesModelAndRegionFromTheUrl(string url, string model, string region, bool streaming)
    {
        var target = Resolve(url);

        Assert.NotNull(target);
        Assert.Equal("aws.bedrock", target!.Provider);
        Assert.Equal(model, target!.UrlModel);
        Assert.True(target!.UrlModelIsServed);
        Assert.Equal(region, target!.Region);
        Assert.Equal(streaming, target!.StreamingUrl);
    }

    [Theory]
    [InlineData("https://api.openai.com/v1/chat/completions", "GET")]
    [InlineData("https://api.openai.com/v1/files", "POST")]
    [InlineData("https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1:0/unknown", "POST")]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens", "POST")]
    [InlineData("https://example.com/v1/chat/completions", "POST")]
    [InlineData("https://myres.openai.azure.com.evil.example/openai/v1/chat/completions", "POST")]
    public void TryResolve_NotABillableCall_IsNotTracked(string url, string method) =>
        Assert.Null(Resolve(url, method));
}
