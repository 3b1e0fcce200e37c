namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// Azure OpenAI through the tracking handler: both URL shapes on both hosts, content-filter results skipped, the
/// streamed empty first chunk, deployment names priced through <see cref="LlmCostOptions.ModelAliases"/>, the Responses
/// API and embeddings. Azure's global deployments are billed at OpenAI's rates, so the <c>openai/…</c> entries price them.
/// </summary>
public sealed class AzureOpenAITests
{
    private const string ChatBody = """{"messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""";

    [Theory]
    [InlineData("https://myres.openai.azure.com/openai/deployments/my-gpt41/chat/completions?api-version=2024-10-21", false, "my-gpt41")]
    [InlineData("https://myres.cognitiveservices.azure.com/openai/deployments/my-gpt41/chat/completions?api-version=2024-10-21", false, "my-gpt41")]
    [InlineData("https://myres.openai.azure.com/openai/v1/chat/completions", true, "gpt-4.1")]
    [InlineData("https://myres.cognitiveservices.azure.com/openai/v1/chat/completions", true, "gpt-4.1")]
    public async Task Chat_BothUrlShapesOnBothHosts_ContentFilterResultsSkippedAndPricedAtOpenAIRates(string url, bool modelInBody, string requestModel)
    {
        // azure-chat.json: a real Azure response with prompt_filter_results (jailbreak included) and content_filter_results.
        var body = modelInBody ? """{"model":"gpt-4.1","messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""" : ChatBody;

        var record = await ProviderCall.SendAsync(url, body, "azure-chat.json");

        Assert.Equal(LlmProviders.AzureOpenAI, record.Provider);
        Assert.Equal(LlmOperations.Chat, record.Operation);
        Assert.Equal("gpt-4.1-2025-04-14", record.Model);
        Assert.Equal(requestModel, record.RequestModel);
        Assert.False(record.Streaming);
        Assert.Equal(200, record.StatusCode);
        ProviderCall.AssertUsage(record, input: 8, cached: 0, cacheWrite: 0, output: 5, reasoning: 0);

        // gpt-4.1: $2 input, $8 output per 1M.
        ProviderCall.AssertCost(record, "openai/gpt-4.1", input: 0.000016m, cachedInput: 0m, cacheWrite: 0m, output: 0.00004m, total: 0.000056m);
    }

    [Theory]
    [InlineData("https://myres.openai.azure.com/openai/deployments/gpt-5-2-chat/chat/completions?api-version=2025-04-01-preview")]
    [InlineData("https://myres.cognitiveservices.azure.com/openai/deployments/gpt-5-2-chat/chat/completions?api-version=2025-04-01-preview")]
    public async Task Stream_EmptyFirstChunkAndServedModelUnknownToTable_PricedThroughDeploymentAlias(string url)
    {
        // The first chunk has "choices":[], "model":"" and prompt_filter_results; the served model
        // "gpt-5.2-chat-2025-12-11" is not a table id: the application maps its deployment.
        const string Body = """{"messages":[{"role":"user","content":"heya"}],"stream":true,"stream_options":{"include_usage":true}}""";

        var record = await ProviderCall.SendAsync(url, Body, "azure-chat-stream.sse", o => o.ModelAliases["gpt-5-2-chat"] = "gpt-5.2");

        Assert.Equal(LlmProviders.AzureOpenAI, record.Provider);
        Assert.True(record.Streaming);
        Assert.Equal("gpt-5.2-chat-2025-12-11", record.Model);
        Assert.Equal("gpt-5-2-chat", record.RequestModel);
        ProviderCall.AssertUsage(record, input: 1204, cached: 1024, cacheWrite: 0, output: 26, reasoning: 0);

        // gpt-5.2: $1.75 input, $0.175 cached, $14 output per 1M; 180 uncached, 1024 cached, 26 output.
        ProviderCall.AssertCost(record, "openai/gpt-5.2", input: 0.000315m, cachedInput: 0.0001792m, cacheWrite: 0m, output: 0.000364m, total: 0.0008582m);
    }

    [Fact]
    public async Task Error_NoModelInResponse_DeploymentAliasStillFindsThePrice()
    {
        // A 429 names no model: the deployment in the URL, mapped by the application, identifies the price; nothing was billed.
        var record = await ProviderCall.SendAsync(
            "https://myres.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21",
            ChatBody,
            "openai-error.json",
            o => o.ModelAliases["my-gpt4o"] = "gpt-4o",
            statusCode: 429);

        Assert.Equal(LlmProviders.AzureOpenAI, record.Provider);
        Assert.Null(record.Model);
        Assert.Equal("my-gpt4o", record.RequestModel);
        Assert.Equal("429", record.ErrorType);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Equal(0m, Assert.IsType<CostBreakdown>(record.Cost).Total);
        Assert.Equal("openai/gpt-4o", Assert.IsType<PriceReference>(record.Price).Entry);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stream_CutAfterTheEmptyFirstChunk_PricedThroughDeploymentAliasOnlyWhenEstimated(bool estimate)
    {
        var payload = "azure-chat-stream.sse";
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = await ProviderStub.StartAsync(StubReply.Sse(payload, gate));
        await using var host = TrackedHost.Create(stub, configure: o =>
        {
            o.ModelAliases["my-gpt4o"] = "gpt-4o";
            o.EstimateMissingUsage = estimate;
        });
        using var client = host.CreateClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using (var request = new HttpRequestMessage(HttpMethod.Post, "https://myres.openai.azure.com/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21")
        {
            Content = new StringContent("""{"messages":[{"role":"user","content":"heya"}],"stream":true,"stream_options":{"include_usage":true}}""", System.Text.Encoding.UTF8, "application/json"),
        })
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token))
        {
            var first = await TrackedHost.ReadFirstEventAsync(await response.Content.ReadAsStreamAsync(cts.Token), cts.Token);
            Assert.Equal(StubReply.SplitEvents(Payloads.Bytes(payload))[0], first);
        }

        var record = await host.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Null(record.Model); // the first chunk's "model":"" names nothing
        Assert.Equal("my-gpt4o", record.RequestModel);
        if (!estimate)
        {
            // Nothing reported, nothing estimated: the cost is unknown, never a silent $0.
            Assert.Equal(UsageSource.None, record.Usage.Source);
            Assert.Null(record.Cost);
            return;
        }

        // The estimate is priced by the deployment's alias at gpt-4o's rates: $2.50 input, $10 output per 1M.
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);
        Assert.True(record.Usage.InputTokens > 0);
        var cost = Assert.IsType<CostBreakdown>(record.Cost);
        Assert.Equal(record.Usage.InputTokens * 2.5m / 1_000_000m, cost.Input);
        Assert.Equal(record.Usage.OutputTokens * 10m / 1_000_000m, cost.Output);
        Assert.Equal("openai/gpt-4o", Assert.IsType<PriceReference>(record.Price).Entry);
    }

    [Fact]
    public async Task Responses_V1ShapeWithDeploymentAsModel_PricedAtOpenAIRates()
    {
        // On Azure's v1 API the body's "model" is the deployment name.
        var record = await ProviderCall.SendAsync(
            "https://myres.openai.azure.com/openai/v1/responses",
            """{"model":"my-gpt4o","input":"This is a test."}""",
            "azure-responses.json",
            o => o.ModelAliases["my-gpt4o"] = "gpt-4o");

        Assert.Equal(LlmProviders.AzureOpenAI, record.Provider);
        Assert.Equal(LlmOperations.Chat, record.Operation);
        Assert.Equal("gpt-4o-2024-08-06", record.Model);
        Assert.Equal("my-gpt4o", record.RequestModel);
        ProviderCall.AssertUsage(record, input: 20, cached: 0, cacheWrite: 0, output: 11, reasoning: 0);

        // gpt-4o: $2.50 input, $10 output per 1M.
        ProviderCall.AssertCost(record, "openai/gpt-4o", input: 0.00005m, cachedInput: 0m, cacheWrite: 0m, output: 0.00011m, total: 0.00016m);
    }

    [Fact]
    public async Task Embeddings_DeploymentShape_PricedAtTextEmbedding3SmallRate()
    {
        var record = await ProviderCall.SendAsync(
            "https://myres.openai.azure.com/openai/deployments/my-embed/embeddings?api-version=2024-10-21",
            """{"input":"The food was delicious and the waiter..."}""",
            "azure-embeddings.json");

        Assert.Equal(LlmProviders.AzureOpenAI, record.Provider);
        Assert.Equal(LlmOperations.Embeddings, record.Operation);
        Assert.Equal("text-embedding-3-small", record.Model);
        Assert.Equal("my-embed", record.RequestModel);
        ProviderCall.AssertUsage(record, input: 8, cached: 0, cacheWrite: 0, output: 0, reasoning: 0);

        // $0.02 per 1M tokens, Azure's own published rate (the azure entries of genai-prices).
        ProviderCall.AssertCost(record, "azure.ai.openai/text-embedding-3-small", input: 0.00000016m, cachedInput: 0m, cacheWrite: 0m, output: 0m, total: 0.00000016m);
    }
}
