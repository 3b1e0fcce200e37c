using System.Net;
using System.Text;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// Gemini API and Vertex AI calls through an HttpClient from IHttpClientFactory with the cost handler, against a local
/// server that replays real Google payloads (see Payloads/SOURCES.md): the app reads the exact bytes, and one record
/// carries the provider, operation, streaming flag, model, Vertex location, every usage field and the cost to the last
/// digit at Google's published prices.
/// </summary>
/// <remarks>
/// Prices per million tokens (https://ai.google.dev/gemini-api/docs/pricing, Vertex AI's Gemini prices are the same):
/// gemini-2.5-flash $0.30 input, $0.03 cached input, $2.50 output (thinking included); gemini-2.0-flash $0.10 input,
/// $0.40 output; gemini-2.5-pro $1.25 input and $10 output for prompts up to 200K tokens, $2.50 and $15 for the whole
/// call above. Claude on Vertex AI at Anthropic's prices (claude-opus-4-6 $5/$25, claude-sonnet-4-5 $3/$15), 10% more on
/// a regional endpoint than on the global one.
/// </remarks>
public sealed class GoogleTests
{
    private const string GeminiApi = "https://generativelanguage.googleapis.com/v1beta/models/";
    private const string RequestBody = """{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}""";
    private const string VertexClaudeBody = """{"anthropic_version":"vertex-2023-10-16","max_tokens":1024,"messages":[{"role":"user","content":"Hi Claude"}]}""";

    public static TheoryData<string> GeminiPayloads => new(GeminiCalls.Select(c => c.Payload));

    private static readonly GoogleCall[] GeminiCalls =
    [
        new GoogleCall(
            "gemini-thinking.json", GeminiApi + "gemini-2.5-flash:generateContent",
            LlmProviders.GcpGemini, Streaming: false, Region: null, RequestModel: "gemini-2.5-flash", Model: "gemini-2.5-flash",
            Usage(input: 14, cached: 0, output: 2 + 24, reasoning: 24),
            Cost(input: 0.0000042m, cachedInput: 0m, output: 0.000065m)),
        new GoogleCall(
            "gemini-stream-thinking.sse", GeminiApi + "gemini-2.5-flash:streamGenerateContent?alt=sse",
            LlmProviders.GcpGemini, Streaming: true, Region: null, RequestModel: "gemini-2.5-flash", Model: "gemini-2.5-flash",
            Usage(input: 10, cached: 0, output: 48 + 540, reasoning: 540),
            Cost(input: 0.000003m, cachedInput: 0m, output: 0.00147m)),
        new GoogleCall(
            "gemini-stream-code-execution.sse", GeminiApi + "gemini-2.5-flash:streamGenerateContent?alt=sse",
            LlmProviders.GcpGemini, Streaming: true, Region: null, RequestModel: "gemini-2.5-flash", Model: "gemini-2.5-flash",
            Usage(input: 21 + 243, cached: 0, output: 126 + 95, reasoning: 95),
            Cost(input: 0.0000792m, cachedInput: 0m, output: 0.0005525m)),
        new GoogleCall(
            "gemini-stream-array.json", GeminiApi + "gemini-2.0-flash:streamGenerateContent",
            LlmProviders.GcpGemini, Streaming: true, Region: null, RequestModel: "gemini-2.0-flash", Model: "gemini-2.0-flash",
            Usage(input: 8, cached: 0, output: 12, reasoning: 0),
            Cost(input: 0.0000008m, cachedInput: 0m, output: 0.0000048m)),
        new GoogleCall(
            "vertex-implicit-caching.json",
            "https://us-central1-aiplatform.googleapis.com/v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent",
            LlmProviders.GcpVertexAI, Streaming: false, Region: "us-central1", RequestModel: "gemini-2.5-flash", Model: "gemini-2.5-flash",
            Usage(input: 12013, cached: 11243, output: 15 + 73, reasoning: 73),
            Cost(input: 0.000231m, cachedInput: 0.00033729m, output: 0.00022m)),
        new GoogleCall(
            "vertex-stream-thinking.sse",
            "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
            LlmProviders.GcpVertexAI, Streaming: true, Region: "global", RequestModel: "gemini-2.5-flash", Model: "gemini-2.5-flash",
            Usage(input: 9, cached: 0, output: 134 + 1067, reasoning: 1067),
            Cost(input: 0.0000027m, cachedInput: 0m, output: 0.0030025m)),
        new GoogleCall(
            "vertex-stream-array.json",
            "https://us-central1-aiplatform.googleapis.com/v1/projects/test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent",
            LlmProviders.GcpVertexAI, Streaming: true, Region: "us-central1", RequestModel: "gemini-2.5-flash", Model: null,
            Usage(input: 262, cached: 0, output: 59, reasoning: 0),
            Cost(input: 0.0000786m, cachedInput: 0m, output: 0.0001475m)),
        new GoogleCall(
            "gemini-long-context.json", GeminiApi + "gemini-2.5-pro:generateContent",
            LlmProviders.GcpGemini, Streaming: false, Region: null, RequestModel: "gemini-2.5-pro", Model: "gemini-2.5-pro",
            Usage(input: 248312, cached: 0, output: 1204 + 1876, reasoning: 1876),
            Cost(input: 0.62078m, cachedInput: 0m, output: 0.0462m)), // above 200K: $2.50/$15 for the whole call
    ];

    [Theory]
    [MemberData(nameof(GeminiPayloads))]
    public async Task GenerateContent_GooglePayload_RecordsEveryFieldAndExactCost(string payload)
    {
        var call = GeminiCalls.Single(c => c.Payload == payload);
        var record = await SendAsync(call.Payload, call.Url, RequestBody);

        Assert.Equal(call.Provider, record.Provider);
        Assert.Equal(LlmOperations.GenerateContent, record.Operation);
        Assert.Equal(call.Streaming, record.Streaming);
        Assert.Equal(call.Model, record.Model);
        Assert.Equal(call.RequestModel, record.RequestModel);
        Assert.Equal(call.Region, record.Region);
        Assert.Null(record.ServiceTier);
        Assert.Equal(200, record.StatusCode);
        Assert.Null(record.ErrorType);
        Assert.Equal(call.Usage, record.Usage);
        Assert.Equal(call.Cost, record.Cost);
        Assert.NotNull(record.Price);
        Assert.Equal("gcp.gemini/" + call.RequestModel, record.Price.Entry);
    }

    [Theory]
    [InlineData(200_000, 0.25, 0.01)]          // up to 200K: $1.25 input, $10 output
    [InlineData(200_001, 0.5000025, 0.015)]    // above: the whole call at $2.50 input, $15 output
    public async Task GenerateContent_PromptAtAndAcross200K_WholeCallPricedAtTheTierItFallsIn(long promptTokens, decimal input, decimal output)
    {
        var body = Payloads.Text("gemini-long-context.json")
            .Replace("\"promptTokenCount\": 248312", "\"promptTokenCount\": " + promptTokens, StringComparison.Ordinal)
            .Replace("\"candidatesTokenCount\": 1204", "\"candidatesTokenCount\": 1000", StringComparison.Ordinal)
            .Replace("\"thoughtsTokenCount\": 1876", "\"thoughtsTokenCount\": 0", StringComparison.Ordinal);

        var reply = new StubReply { ContentType = "application/json" }.WithBody(Encoding.UTF8.GetBytes(body));
        var record = await SendAsync(reply, GeminiApi + "gemini-2.5-pro:generateContent", RequestBody);

        Assert.Equal(Usage(promptTokens, 0, 1000, 0), record.Usage);
        Assert.Equal(Cost(input, 0m, output), record.Cost);
    }

    [Theory]
    [InlineData("https://europe-west1-aiplatform.googleapis.com/v1/projects/my-project/locations/europe-west1/publishers/anthropic/models/claude-opus-4-6:rawPredict", "europe-west1", 0.0000495, 0.00066)]
    [InlineData("https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/anthropic/models/claude-opus-4-6:rawPredict", "global", 0.000045, 0.0006)]
    public async Task RawPredict_ClaudeOnVertex_PricedAtAnthropicRatesWithRegionalUplift(string url, string region, decimal input, decimal output)
    {
        var record = await SendAsync("vertex-claude-rawpredict.json", url, VertexClaudeBody);

        Assert.Equal(LlmProviders.GcpVertexAI, record.Provider);
        Assert.Equal(LlmOperations.Chat, record.Operation);
        Assert.False(record.Streaming);
        Assert.Equal("claude-opus-4-6", record.Model);
        Assert.Equal("claude-opus-4-6", record.RequestModel);
        Assert.Equal(region, record.Region);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal(Usage(9, 0, 24, 0), record.Usage);
        Assert.Equal(Cost(input, 0m, output), record.Cost);
        Assert.Equal("anthropic/claude-opus-4-6", record.Price!.Entry);
    }

    [Fact]
    public async Task StreamRawPredict_ClaudeSonnet45OnRegionalEndpoint_StreamedAndPricedWithUplift()
    {
        const string Url = "https://us-east5-aiplatform.googleapis.com/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict";

        var record = await SendAsync("anthropic-messages-stream.sse", Url, VertexClaudeBody.Replace("}]}", "}],\"stream\":true}", StringComparison.Ordinal));

        Assert.Equal(LlmProviders.GcpVertexAI, record.Provider);
        Assert.Equal(LlmOperations.Chat, record.Operation);
        Assert.True(record.Streaming);
        Assert.Equal("claude-sonnet-4-5-20250929", record.Model);
        Assert.Equal("claude-sonnet-4-5@20250929", record.RequestModel);
        Assert.Equal("us-east5", record.Region);
        Assert.Equal(Usage(25, 0, 15, 0), record.Usage);

        // $3 input, $15 output, times 1.1 on a regional endpoint.
        Assert.Equal(Cost(0.0000825m, 0m, 0.0002475m), record.Cost);
        Assert.Equal("anthropic/claude-sonnet-4-5", record.Price!.Entry);
    }

    [Fact]
    public async Task StreamGenerateContent_PartlyReadThenDisposed_RunningTotalsAreNotPricedAndCounted()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = await ProviderStub.StartAsync(StubReply.Sse("gemini-stream-thinking.sse", gate));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using (var request = Post(GeminiApi + "gemini-2.5-flash:streamGenerateContent?alt=sse", RequestBody))
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token))
        {
            var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            var first = await TrackedHost.ReadFirstEventAsync(stream, cts.Token);
            Assert.Equal(StubReply.SplitEvents(Payloads.Bytes("gemini-stream-thinking.sse"))[0], first);
        }

        var record = await host.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Equal("gemini-2.5-flash", record.Model);

        // The first chunk's running totals (10 in, 70 thinking) are not what the call is billed: the stream was stopped
        // before the chunk with finishReason, so the usage is not the provider's final report (issue 12, item 7).
        Assert.Equal(TokenUsage.None, record.Usage);
        Assert.Null(record.Cost);
        Assert.Equal(1, host.Tracker.Statistics.PartialUsage);
        Assert.Equal(0, host.Tracker.Statistics.MalformedResponses);
    }

    [Fact]
    public async Task GenerateContent_ErrorResponse_RecordsErrorWithoutUsage()
    {
        const string Error = """{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}""";
        var reply = new StubReply { StatusCode = 429, ContentType = "application/json" }.WithBody(Encoding.UTF8.GetBytes(Error));

        var record = await SendAsync(reply, GeminiApi + "gemini-2.5-flash:generateContent", RequestBody, HttpStatusCode.TooManyRequests);

        Assert.Equal(LlmProviders.GcpGemini, record.Provider);
        Assert.Equal(429, record.StatusCode);
        Assert.Equal("429", record.ErrorType);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Equal(0m, record.Cost?.Total ?? 0m);
    }

    private static Task<CostRecord> SendAsync(string payload, string url, string requestBody) =>
        SendAsync(StubReply.ForPayload(payload), url, requestBody);

    /// <summary>Sends the request through the tracked client, reads the body to the end, checks it is byte-identical and returns the one record.</summary>
    private static async Task<CostRecord> SendAsync(StubReply reply, string url, string requestBody, HttpStatusCode status = HttpStatusCode.OK)
    {
        var expectedBody = reply.Body;
        await using var stub = await ProviderStub.StartAsync(reply);
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();

        using (var request = Post(url, requestBody))
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(status, response.StatusCode);
            var stream = await response.Content.ReadAsStreamAsync();
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(expectedBody, copy.ToArray());
        }

        var sent = Assert.Single(stub.Requests);
        Assert.Equal(new Uri(url).PathAndQuery, sent.PathAndQuery);
        Assert.Equal(requestBody, Encoding.UTF8.GetString(sent.Body));

        var record = await host.SingleRecordAsync();
        if (record.Cost is { } cost)
        {
            Assert.Equal(cost.Total, cost.Input + cost.CachedInput + cost.CacheWrite + cost.Output + cost.Requests);
        }

        return record;
    }

    private static HttpRequestMessage Post(string url, string body) => new(HttpMethod.Post, url)
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
    };

    private static TokenUsage Usage(long input, long cached, long output, long reasoning) => new()
    {
        InputTokens = input,
        CachedInputTokens = cached,
        OutputTokens = output,
        ReasoningTokens = reasoning,
        Source = UsageSource.Provider,
    };

    private static CostBreakdown Cost(decimal input, decimal cachedInput, decimal output) => new()
    {
        Currency = "USD",
        Input = input,
        CachedInput = cachedInput,
        Output = output,
        Total = input + cachedInput + output,
    };

    /// <summary>One Google call: the payload replayed, the URL the app calls and everything its record must say.</summary>
    private sealed record GoogleCall(
        string Payload, string Url, string Provider, bool Streaming, string? Region, string RequestModel, string? Model, TokenUsage Usage, CostBreakdown Cost);
}
