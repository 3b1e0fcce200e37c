namespace LlmCost.Sdk.Tests.Providers;

/// <summary>
/// The OpenAI-format mappings on real payloads of Azure OpenAI and the OpenAI-compatible providers, read in any
/// chunking, and the endpoints that pick them by host and path.
/// </summary>
public class OpenAICompatibleMappingTests
{
    public static TheoryData<string, bool, string, long, long, long, long> OpenAIFormatPayloads => new()
    {
        // file, sse, model, input, cached, output, reasoning (see Payloads/SOURCES.md)
        { "azure-chat.json", false, "gpt-4.1-2025-04-14", 8, 0, 5, 0 },
        { "azure-chat-stream.sse", true, "gpt-5.2-chat-2025-12-11", 1204, 1024, 26, 0 },
        { "azure-responses.json", false, "gpt-4o-2024-08-06", 20, 0, 11, 0 },
        { "azure-embeddings.json", false, "text-embedding-3-small", 8, 0, 0, 0 },
        { "openai-embeddings.json", false, "text-embedding-3-small", 8, 0, 0, 0 },
        { "openai-chat-flex.json", false, "gpt-5-2025-08-07", 1200, 1024, 350, 256 },
        { "openai-chat-priority.json", false, "gpt-5-2025-08-07", 1200, 1024, 350, 256 },
        { "mistral-chat.json", false, "mistral-small-latest", 16, 0, 34, 0 },
        { "mistral-embeddings.json", false, "mistral-embed", 15, 0, 0, 0 },
        { "deepseek-chat.json", false, "deepseek-chat", 1600, 1536, 10, 0 },
        { "deepseek-reasoner.json", false, "deepseek-reasoner", 13, 0, 1051, 979 },
        { "groq-chat.json", false, "meta-llama/llama-4-scout-17b-16e-instruct", 13, 0, 7, 0 },
        { "groq-chat-stream.sse", true, "llama-3.3-70b-versatile", 18, 0, 439, 0 },
        { "openrouter-chat.json", false, "google/gemma-4-26b-a4b-it", 64266, 7, 1391, 0 },
    };

    [Theory]
    [MemberData(nameof(OpenAIFormatPayloads))]
    public void Read_RealPayloadInAnyChunking_MapsToNormalizedUsage(string file, bool sse, string model, long input, long cached, long output, long reasoning)
    {
        var body = Payloads.Bytes(file);
        foreach (var chunkSize in new[] { 1, 3, 64, body.Length })
        {
            var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, body, sse, chunkSize);

            Assert.False(malformed);
            Assert.Equal(model, usage.Model);
            Assert.Equal(UsageParsing.Usage(input, cached, 0, output, reasoning), usage.ToUsage());
        }
    }

    [Fact]
    public void Read_AzureStream_EmptyFirstChunkNamesNoModelAndFilterResultsAreNotUsage()
    {
        var first = StubReply.SplitEvents(Payloads.Bytes("azure-chat-stream.sse"))[0];

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, first, sse: true, chunkSize: 7);

        Assert.False(malformed);
        Assert.Null(usage.Model);
        Assert.False(usage.HasUsage);
    }

    [Theory]
    [InlineData("openai-chat-flex.json", "flex")]
    [InlineData("openai-chat-priority.json", "priority")]
    [InlineData("openai-chat.json", "default")]
    public void Read_ServiceTier_IsKept(string file, string tier)
    {
        var (usage, _) = UsageParsing.Read(OpenAIUsageMapping.Instance, Payloads.Bytes(file), sse: false, chunkSize: 5);

        Assert.Equal(tier, usage.ServiceTier);
    }

    [Fact]
    public void Read_OpenRouterCost_IsKeptAsReportedAndCostDetailsAreIgnored()
    {
        foreach (var chunkSize in new[] { 1, 9, 4096 })
        {
            var (usage, _) = UsageParsing.Read(OpenAIUsageMapping.Instance, Payloads.Bytes("openrouter-chat.json"), sse: false, chunkSize);

            Assert.Equal(0.0104745m, usage.ReportedCost);
        }
    }

    [Theory]
    [InlineData("0.0104745", "0.0104745")]
    [InlineData("1e-7", "0.0000001")]
    [InlineData("2.5E-05", "0.000025")]
    [InlineData("0", "0")]
    public void Read_OpenRouterCost_PlainAndExponentNotation(string json, string expected)
    {
        // JavaScript (and so OpenRouter) writes numbers below 1e-6 in exponent notation.
        var body = System.Text.Encoding.UTF8.GetBytes($$$"""{"model":"openai/gpt-4o-mini","usage":{"prompt_tokens":1,"completion_tokens":1,"cost":{{{json}}}}}""");

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, body, sse: false, chunkSize: 4);

        Assert.False(malformed);
        Assert.Equal(decimal.Parse(expected, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture), usage.ReportedCost);
    }

    [Fact]
    public void Read_GroqNonStreamTimings_AreNotTokenCounts()
    {
        // queue_time, prompt_time, completion_time and total_time are seconds (fractions) beside the counts.
        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, Payloads.Bytes("groq-chat.json"), sse: false, chunkSize: 2);

        Assert.False(malformed);
        Assert.Equal(UsageParsing.Usage(13, 0, 0, 7, 0), usage.ToUsage());
    }

    [Fact]
    public void Read_XAIChat_ReasoningIsAddedToCompletionTokens()
    {
        // docs.x.ai: total_tokens 800 = prompt 37 + completion 530 + reasoning 233.
        var body = Payloads.Bytes("xai-chat.json");
        foreach (var chunkSize in new[] { 1, 4, body.Length })
        {
            var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.XAI, body, sse: false, chunkSize);

            Assert.False(malformed);
            Assert.Equal("grok-3-mini", usage.Model);
            Assert.Equal(UsageParsing.Usage(37, 8, 0, 763, 233), usage.ToUsage());
        }
    }

    [Fact]
    public void Read_XAIMappingOnOpenAIPayloads_ReasoningStillInsideOutput()
    {
        // The xAI mapping changes only Chat Completions' completion_tokens_details; the Responses API's output_tokens include reasoning.
        var (responses, _) = UsageParsing.Read(OpenAIUsageMapping.XAI, Payloads.Bytes("openai-responses.json"), sse: false, chunkSize: 11);

        Assert.Equal(UsageParsing.Usage(81, 0, 0, 1035, 832), responses.ToUsage());
    }

    [Theory]
    [InlineData("https://myres.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21", LlmProviders.AzureOpenAI, LlmOperations.Chat, "my-gpt4o")]
    [InlineData("https://myres.cognitiveservices.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21", LlmProviders.AzureOpenAI, LlmOperations.Chat, "my-gpt4o")]
    [InlineData("https://myres.openai.azure.com/openai/v1/chat/completions", LlmProviders.AzureOpenAI, LlmOperations.Chat, null)]
    [InlineData("https://myres.cognitiveservices.azure.com/openai/v1/chat/completions", LlmProviders.AzureOpenAI, LlmOperations.Chat, null)]
    [InlineData("https://myres.openai.azure.com/openai/v1/responses", LlmProviders.AzureOpenAI, LlmOperations.Chat, null)]
    [InlineData("https://myres.openai.azure.com/openai/responses?api-version=2025-04-01-preview", LlmProviders.AzureOpenAI, LlmOperations.Chat, null)]
    [InlineData("https://myres.openai.azure.com/openai/deployments/my%20embed/embeddings?api-version=2024-10-21", LlmProviders.AzureOpenAI, LlmOperations.Embeddings, "my embed")]
    [InlineData("https://api.mistral.ai/v1/chat/completions", LlmProviders.MistralAI, LlmOperations.Chat, null)]
    [InlineData("https://api.mistral.ai/v1/embeddings", LlmProviders.MistralAI, LlmOperations.Embeddings, null)]
    [InlineData("https://api.deepseek.com/chat/completions", LlmProviders.DeepSeek, LlmOperations.Chat, null)]
    [InlineData("https://api.deepseek.com/v1/chat/completions", LlmProviders.DeepSeek, LlmOperations.Chat, null)]
    [InlineData("https://api.groq.com/openai/v1/chat/completions", LlmProviders.Groq, LlmOperations.Chat, null)]
    [InlineData("https://api.x.ai/v1/chat/completions", LlmProviders.XAI, LlmOperations.Chat, null)]
    [InlineData("https://openrouter.ai/api/v1/chat/completions", LlmProviders.OpenRouter, LlmOperations.Chat, null)]
    [InlineData("https://api.openai.com/v1/embeddings", LlmProviders.OpenAI, LlmOperations.Embeddings, null)]
    [InlineData("https://api.openai.com/v1/responses", LlmProviders.OpenAI, LlmOperations.Chat, null)]
    public void TryResolve_ProviderUrl_ProviderOperationAndDeployment(string url, string provider, string operation, string? urlModel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(new ProviderEndpoints([]).TryResolve(request, null, out var target));

        Assert.Equal(provider, target.Provider);
        Assert.Equal(operation, target.Operation);
        Assert.Equal(urlModel, target.UrlModel);
        Assert.False(target.UrlModelIsServed);
        var expected = provider == LlmProviders.XAI ? OpenAIUsageMapping.XAI : OpenAIUsageMapping.Instance;
        Assert.Same(expected, target.Mapping);
    }

    [Theory]
    [InlineData("https://api.x.ai/v1/responses")]
    public void TryResolve_XAIResponsesApi_UsesOpenAIMapping(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);

        Assert.True(new ProviderEndpoints([]).TryResolve(request, null, out var target));

        Assert.Equal(LlmProviders.XAI, target.Provider);
        Assert.Same(OpenAIUsageMapping.Instance, target.Mapping);
    }
}
