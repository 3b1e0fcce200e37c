namespace LlmCost.Sdk.Tests.Providers;

/// <summary>Google URLs: the Gemini API, Gemini on Vertex AI and the partner models on Vertex AI.</summary>
public class ProviderEndpointsTests
{
    private static readonly ProviderEndpoints Endpoints = new([]);

    public static TheoryData<string, string, string, string, bool, string?> GoogleUrls => new()
    {
        // url, provider, operation, url model, streaming url, region
        { "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent", LlmProviders.GcpGemini, LlmOperations.GenerateContent, "gemini-2.5-flash", false, null },
        { "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", LlmProviders.GcpGemini, LlmOperations.GenerateContent, "gemini-2.5-flash", true, null },
        { "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent", LlmProviders.GcpGemini, LlmOperations.GenerateContent, "gemini-2.0-flash", true, null },
        { "https://generativelanguage.googleapis.com/v1/models/gemini-2.5-pro:generateContent?key=AIza-test", LlmProviders.GcpGemini, LlmOperations.GenerateContent, "gemini-2.5-pro", false, null },
        { "https://us-central1-aiplatform.googleapis.com/v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent", LlmProviders.GcpVertexAI, LlmOperations.GenerateContent, "gemini-2.5-flash", false, "us-central1" },
        { "https://europe-west4-aiplatform.googleapis.com/v1beta1/projects/p/locations/europe-west4/publishers/google/models/gemini-2.0-flash-001:streamGenerateContent?alt=sse", LlmProviders.GcpVertexAI, LlmOperations.GenerateContent, "gemini-2.0-flash-001", true, "europe-west4" },
        { "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/google/models/gemini-3-pro-preview:streamGenerateContent", LlmProviders.GcpVertexAI, LlmOperations.GenerateContent, "gemini-3-pro-preview", true, "global" },
        { "https://us-east5-aiplatform.googleapis.com/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict", LlmProviders.GcpVertexAI, LlmOperations.Chat, "claude-sonnet-4-5@20250929", false, "us-east5" },
        { "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict", LlmProviders.GcpVertexAI, LlmOperations.Chat, "claude-sonnet-4-5@20250929", true, "global" },
    };

    [Theory]
    [MemberData(nameof(GoogleUrls))]
    public void TryResolve_GoogleUrl_YieldsProviderOperationModelStreamingAndRegion(string url, string provider, string operation, string model, bool streaming, string? region)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(Endpoints.TryResolve(request, null, out var target));

        Assert.Equal(provider, target.Provider);
        Assert.Equal(operation, target.Operation);
        Assert.Equal(model, target.UrlModel);
        Assert.Equal(streaming, target.StreamingUrl);
        Assert.Equal(region, target.Region);
        Assert.False(target.UrlModelIsServed);
    }

    [Theory]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")]
    [InlineData("https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent")]
    public void TryResolve_GenerateContent_ReadsGeminiUsage(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(Endpoints.TryResolve(request, null, out var target));
        Assert.Same(GeminiUsageMapping.Instance, target.Mapping);
    }

    [Theory]
    [InlineData("https://us-east5-aiplatform.googleapis.com/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict")]
    [InlineData("https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/claude-opus-4-6:streamRawPredict")]
    public void TryResolve_ClaudeOnVertex_ReadsAnthropicUsage(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(Endpoints.TryResolve(request, null, out var target));
        Assert.Same(AnthropicUsageMapping.Instance, target.Mapping);
    }

    [Theory]
    [InlineData("https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/mistralai/models/mistral-small-2503:rawPredict")]
    [InlineData("https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/mistralai/models/codestral-2501:streamRawPredict")]
    public void TryResolve_OtherPartnerModelOnVertex_ReadsOpenAIFormatUsage(string url)
    {
        // Regression: every rawPredict was read as Anthropic's format; Mistral's models on Vertex AI answer in OpenAI's
        // chat completion format (usage.prompt_tokens/completion_tokens).
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(Endpoints.TryResolve(request, null, out var target));
        Assert.Equal(LlmProviders.GcpVertexAI, target.Provider);
        Assert.Same(OpenAIUsageMapping.Instance, target.Mapping);
    }

    [Theory]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/openai/chat/completions", LlmProviders.GcpGemini)]
    [InlineData("https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/endpoints/openapi/chat/completions", LlmProviders.GcpVertexAI)]
    public void TryResolve_GoogleOpenAICompatibleEndpoint_ReadsOpenAIFormat(string url, string provider)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(Endpoints.TryResolve(request, null, out var target));
        Assert.Equal(provider, target.Provider);
        Assert.Equal(LlmOperations.Chat, target.Operation);
        Assert.Same(OpenAIUsageMapping.Instance, target.Mapping);
    }

    [Theory]
    [InlineData("POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:countTokens")]
    [InlineData("POST", "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:embedContent")]
    [InlineData("GET", "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash")]
    [InlineData("POST", "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash:countTokens")]
    [InlineData("POST", "https://storage.googleapis.com/upload/storage/v1/b/bucket/o")]
    public void TryResolve_NotAGenerationCall_IsNotTracked(string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);

        Assert.False(Endpoints.TryResolve(request, null, out _));
    }

    [Theory]
    [InlineData("https://myres.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21", "prod-4o")]
    [InlineData("https://myres.openai.azure.com/OpenAI/Deployments/prod-4o/chat/completions?api-version=2024-10-21", "prod-4o")]
    [InlineData("https://myres.openai.azure.com/v1/Chat/openai/deployments/Prod-4o/chat/completions", "Prod-4o")]
    public void TryResolve_AzureDeploymentInAnyCase_IsTheUrlModel(string url, string deployment)
    {
        // Issue 8: markers are found with an ordinal search unless the path has an upper-case letter; the result is the same.
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(Endpoints.TryResolve(request, null, out var target));

        Assert.Equal(deployment, target.UrlModel);
    }

    [Theory]
    [InlineData("https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1:0/converse")]
    [InlineData("https://bedrock-runtime.us-east-1.amazonaws.com/MODEL/anthropic.claude-3-5-haiku-20241022-v1:0/converse")]
    public void TryResolve_BedrockModelMarkerInAnyCase_IsTheUrlModel(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(Endpoints.TryResolve(request, null, out var target));

        Assert.Equal(LlmProviders.AwsBedrock, target.Provider);
        Assert.Equal("anthropic.claude-3-5-haiku-20241022-v1:0", target.UrlModel);
    }

    [Theory]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/Models/gemini-2.5-flash:generateContent")]
    public void TryResolve_GoogleModelsMarkerInAnyCase_IsTheUrlModel(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(Endpoints.TryResolve(request, null, out var target));

        Assert.Equal("gemini-2.5-flash", target.UrlModel);
    }
}
