using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// The official OpenAI .NET SDK, on an HttpClient from IHttpClientFactory with the cost handler, against a local
/// server that replays real OpenAI payloads: every field of the record is checked, and the cost to the last digit.
/// </summary>
public sealed class OpenAISdkTests
{
    private const string TableVersion = "2026.11.6";

    private static readonly LlmCostTags ExpectedTags = TrackedHost.ExpectedSdkCallTags;

    [Theory]
    [InlineData("openai-chat.json", false)]
    [InlineData("openai-chat-cached.json", false)]
    [InlineData("openai-chat-stream.sse", true)]
    public async Task CompleteChat_ProviderPayload_RecordsEveryFieldAndExactCost(string payload, bool streaming)
    {
        var expected = Expected(payload);
        await using var stub = await ProviderStub.StartAsync(StubReply.ForPayload(payload));
        await using var host = TrackedHost.Create(stub);
        using var http = host.CreateClient();
        var chat = CreateClient(http).GetChatClient(expected.RequestModel);

        var before = DateTimeOffset.UtcNow;
        ChatTokenUsage? appUsage = null;
        var text = new StringBuilder();
        using (LlmCostScope.Begin(feature: "ticket-triage", customer: "acme", tags: [new("experiment", "b")]))
        {
            if (streaming)
            {
                await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hello")]))
                {
                    text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
                    appUsage = update.Usage ?? appUsage;
                }
            }
            else
            {
                ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Hello")]);
                text.Append(completion.Content[0].Text);
                appUsage = completion.Usage;
                Assert.Equal(expected.Model, completion.Model);
            }
        }

        var after = DateTimeOffset.UtcNow;

        // The app got the provider's answer, untouched.
        Assert.Equal(streaming ? "Hi, how are you?" : "Hello! How can I assist you today?", text.ToString());
        Assert.NotNull(appUsage);

        // The SDK sent what the record says it asked for.
        var sent = Assert.Single(stub.Requests);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        using var sentJson = JsonDocument.Parse(sent.Body);
        Assert.Equal(expected.RequestModel, sentJson.RootElement.GetProperty("model").GetString());
        Assert.Equal(streaming, sentJson.RootElement.TryGetProperty("stream", out var stream) && stream.GetBoolean());

        var record = await host.SingleRecordAsync();
        AssertRecord(expected, streaming, record, before, after);

        // The record agrees with what the OpenAI SDK itself parsed.
        Assert.Equal(appUsage.InputTokenCount, record.Usage.InputTokens);
        Assert.Equal(appUsage.OutputTokenCount, record.Usage.OutputTokens);
        Assert.Equal(appUsage.InputTokenDetails?.CachedTokenCount ?? 0, record.Usage.CachedInputTokens);
        Assert.Equal(appUsage.OutputTokenDetails?.ReasoningTokenCount ?? 0, record.Usage.ReasoningTokens);
    }

    [Fact]
    public async Task CompleteChatStreaming_AppStopsAfterFirstUpdate_RecordsOnceWhenSdkDisposesResponse()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = await ProviderStub.StartAsync(StubReply.Sse("openai-chat-stream.sse", gate));
        await using var host = TrackedHost.Create(stub);
        using var http = host.CreateClient();
        var chat = CreateClient(http).GetChatClient("gpt-3.5-turbo");

        var updates = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hello")]).WithCancellation(CancellationToken.None))
        {
            updates++;
            Assert.Equal("gpt-3.5-turbo-0125", update.Model);
            break; // The provider still holds the rest of the stream.
        }

        Assert.Equal(1, updates);
        Assert.False(gate.Task.IsCompleted);

        var record = await host.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal("gpt-3.5-turbo-0125", record.Model);
        Assert.Equal("gpt-3.5-turbo", record.RequestModel);

        // No usage was read: the input is estimated ("Hello": 1 token + 3 per message + 1 for the role + 3 priming the reply),
        // and the one update read had empty content.
        Assert.Equal(new TokenUsage { InputTokens = 8, OutputTokens = 0, Source = UsageSource.Estimated }, record.Usage);
    }

    [Fact]
    public async Task CompleteChat_RateLimitedThenRetriedBySdk_OneRecordPerAttempt()
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat-cached.json"));
        stub.Enqueue(new StubReply
        {
            StatusCode = 429,
            ContentType = "application/json",
            Headers = [new("Retry-After", "0"), new("retry-after-ms", "10")],
            ContentLength = Payloads.Bytes("openai-error.json").Length,
            FlushEachPart = true,
        }.WithBody(Payloads.Bytes("openai-error.json")));
        await using var host = TrackedHost.Create(stub);
        using var http = host.CreateClient();
        var client = new OpenAIClient(
            new ApiKeyCredential("sk-test"),
            new OpenAIClientOptions { Transport = new HttpClientPipelineTransport(http), RetryPolicy = new ClientRetryPolicy(maxRetries: 1) });

        ChatCompletion completion = await client.GetChatClient("gpt-4o").CompleteChatAsync([new UserChatMessage("Hello")]);
        Assert.Equal("gpt-4o-2024-08-06", completion.Model);
        Assert.Equal(2, stub.Requests.Count);

        await host.Tracker.FlushAsync();
        var records = host.Sink.Records;
        Assert.Equal(2, records.Count);

        var refused = records[0];
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal("429", refused.ErrorType);
        Assert.Equal("gpt-4o", refused.RequestModel);
        Assert.Null(refused.Model);
        Assert.Equal(TokenUsage.None, refused.Usage);
        Assert.True(refused.Cost is null || refused.Cost.Total == 0m, $"cost {refused.Cost}");

        var served = records[1];
        Assert.Equal(200, served.StatusCode);
        Assert.Null(served.ErrorType);
        Assert.Equal("gpt-4o", served.RequestModel);
        Assert.Equal(Expected("openai-chat-cached.json").Cost, served.Cost);
    }

    [Fact]
    public async Task GenerateEmbedding_ProviderResponse_RecordsEmbeddingsOperationAndInputUsage()
    {
        // The embeddings response shape of the API reference (usage: prompt_tokens and total_tokens only).
        var body = Encoding.UTF8.GetBytes("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,-0.0028842222]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}""");
        await using var stub = await ProviderStub.StartAsync(
            new StubReply { ContentType = "application/json", ContentLength = body.Length, FlushEachPart = true }.WithBody(body));
        await using var host = TrackedHost.Create(stub);
        using var http = host.CreateClient();

        var embedding = await CreateClient(http).GetEmbeddingClient("text-embedding-3-small").GenerateEmbeddingAsync("The food was delicious");
        Assert.Equal(3, embedding.Value.ToFloats().Length);

        Assert.Equal("/v1/embeddings", Assert.Single(stub.Requests).PathAndQuery);
        var record = await host.SingleRecordAsync();
        Assert.Equal("openai", record.Provider);
        Assert.Equal("embeddings", record.Operation);
        Assert.Equal("text-embedding-3-small", record.Model);
        Assert.Equal("text-embedding-3-small", record.RequestModel);
        Assert.False(record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.Null(record.ErrorType);
        Assert.Equal(new TokenUsage { InputTokens = 8, Source = UsageSource.Provider }, record.Usage);
        var expectedTags = new LlmCostTags(ExpectedTags) { Feature = "unattributed", Customer = null };
        expectedTags.Custom.Clear();
        expectedTags.Custom["region"] = TrackedHost.DefaultRegion;
        Assert.Equal(expectedTags, record.Tags);
    }

#pragma warning disable OPENAI001 // The Responses client is marked for evaluation.
    [Theory]
    [InlineData("openai-responses.json", false)]
    [InlineData("openai-responses-stream.sse", true)]
    public async Task CreateResponse_ProviderPayload_RecordsEveryFieldAndExactCost(string payload, bool streaming)
    {
        var expected = Expected(payload);
        await using var stub = await ProviderStub.StartAsync(StubReply.ForPayload(payload));
        await using var host = TrackedHost.Create(stub);
        using var http = host.CreateClient();
        var responses = CreateClient(http).GetResponsesClient();

        var before = DateTimeOffset.UtcNow;
        ResponseTokenUsage? appUsage = null;
        using (LlmCostScope.Begin(feature: "ticket-triage", customer: "acme", tags: [new("experiment", "b")]))
        {
            if (streaming)
            {
                var updates = await responses.CreateResponseStreamingAsync(expected.RequestModel, "Say hello");
                await foreach (var update in updates)
                {
                    if (update is StreamingResponseCompletedUpdate completed)
                    {
                        appUsage = completed.Response.Usage;
                        Assert.Equal(expected.Model, completed.Response.Model);
                    }
                }
            }
            else
            {
                ResponseResult response = await responses.CreateResponseAsync(expected.RequestModel, "Write a tongue twister");
                appUsage = response.Usage;
                Assert.Equal(expected.Model, response.Model);
            }
        }

        var after = DateTimeOffset.UtcNow;
        Assert.NotNull(appUsage);

        var sent = Assert.Single(stub.Requests);
        Assert.Equal("/v1/responses", sent.PathAndQuery);
        using var sentJson = JsonDocument.Parse(sent.Body);
        Assert.Equal(expected.RequestModel, sentJson.RootElement.GetProperty("model").GetString());

        var record = await host.SingleRecordAsync();
        AssertRecord(expected, streaming, record, before, after);

        Assert.Equal(appUsage.InputTokenCount, record.Usage.InputTokens);
        Assert.Equal(appUsage.OutputTokenCount, record.Usage.OutputTokens);
        Assert.Equal(appUsage.InputTokenDetails?.CachedTokenCount ?? 0, record.Usage.CachedInputTokens);
        Assert.Equal(appUsage.OutputTokenDetails?.ReasoningTokenCount ?? 0, record.Usage.ReasoningTokens);
    }
#pragma warning restore OPENAI001

    private static OpenAIClient CreateClient(HttpClient http) => new(
        new ApiKeyCredential("sk-test"),
        new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    private static void AssertRecord(Expectation expected, bool streaming, CostRecord record, DateTimeOffset before, DateTimeOffset after)
    {
        Assert.NotEqual(Guid.Empty, record.Id);
        Assert.InRange(record.Timestamp, before, after);
        Assert.InRange(record.DurationMs, 0, (after - before).TotalMilliseconds + 1);
        Assert.Equal("openai", record.Provider);
        Assert.Equal("chat", record.Operation);
        Assert.Equal(expected.Model, record.Model);
        Assert.Equal(expected.RequestModel, record.RequestModel);
        Assert.Equal(streaming, record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.Null(record.ErrorType);
        Assert.Equal(ExpectedTags, record.Tags);
        Assert.Equal(expected.Usage with { Source = UsageSource.Provider }, record.Usage);
        Assert.Equal(expected.Cost, record.Cost);
        Assert.Equal(new PriceReference { TableVersion = TableVersion, Entry = expected.Entry, EffectiveFrom = expected.EffectiveFrom }, record.Price);

        // The parts add up to the total.
        var cost = record.Cost!;
        Assert.Equal(cost.Total, cost.Input + cost.CachedInput + cost.CacheWrite + cost.Output);
        Assert.Equal("USD", cost.Currency);
    }

    /// <summary>What each payload must produce: usage from Payloads/SOURCES.md, cost worked out by hand from the published prices.</summary>
    private static Expectation Expected(string payload) => payload switch
    {
        // gpt-4.1: $2.00 input / $0.50 cached input / $8.00 output per 1M tokens.
        // 19 input (0 cached), 10 output.
        // input  19 × 2.00 / 1M = 0.000038
        // output 10 × 8.00 / 1M = 0.000080
        // total                 = 0.000118
        "openai-chat.json" => new(
            "gpt-4.1", "gpt-4.1-2025-04-14",
            new TokenUsage { InputTokens = 19, OutputTokens = 10 },
            new CostBreakdown { Input = 0.000038m, CachedInput = 0m, CacheWrite = 0m, Output = 0.00008m, Total = 0.000118m },
            "openai/gpt-4.1", new DateOnly(2025, 4, 14)),

        // gpt-4o: $2.50 input / $1.25 cached input / $10.00 output per 1M tokens.
        // 2006 input of which 1920 cached, 300 output.
        // input  (2006 − 1920) = 86 × 2.50 / 1M = 0.000215
        // cached 1920 × 1.25 / 1M              = 0.0024
        // output 300 × 10.00 / 1M              = 0.003
        // total                                = 0.005615
        "openai-chat-cached.json" => new(
            "gpt-4o", "gpt-4o-2024-08-06",
            new TokenUsage { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300 },
            new CostBreakdown { Input = 0.000215m, CachedInput = 0.0024m, CacheWrite = 0m, Output = 0.003m, Total = 0.005615m },
            "openai/gpt-4o", new DateOnly(2024, 10, 1)),

        // gpt-3.5-turbo(-0125): $0.50 input / $1.50 output per 1M tokens (no cached rate).
        // 10 input, 5 output (the last chunk's usage, include_usage).
        // input  10 × 0.50 / 1M = 0.000005
        // output  5 × 1.50 / 1M = 0.0000075
        // total                 = 0.0000125
        "openai-chat-stream.sse" => new(
            "gpt-3.5-turbo", "gpt-3.5-turbo-0125",
            new TokenUsage { InputTokens = 10, OutputTokens = 5 },
            new CostBreakdown { Input = 0.000005m, CachedInput = 0m, CacheWrite = 0m, Output = 0.0000075m, Total = 0.0000125m },
            "openai/gpt-3.5-turbo", new DateOnly(2024, 1, 25)),

        // o1: $15.00 input / $7.50 cached input / $60.00 output per 1M tokens.
        // 81 input (0 cached), 1035 output of which 832 reasoning (reasoning is output: priced at the output rate).
        // input    81 × 15.00 / 1M = 0.001215
        // output 1035 × 60.00 / 1M = 0.0621
        // total                    = 0.063315
        "openai-responses.json" => new(
            "o1", "o1-2024-12-17",
            new TokenUsage { InputTokens = 81, OutputTokens = 1035, ReasoningTokens = 832 },
            new CostBreakdown { Input = 0.001215m, CachedInput = 0m, CacheWrite = 0m, Output = 0.0621m, Total = 0.063315m },
            "openai/o1", new DateOnly(2024, 12, 17)),

        // gpt-3.5-turbo(-0125): $0.50 input / $1.50 output per 1M tokens.
        // 13 input, 12 output (response.completed → response.usage).
        // input  13 × 0.50 / 1M = 0.0000065
        // output 12 × 1.50 / 1M = 0.000018
        // total                 = 0.0000245
        "openai-responses-stream.sse" => new(
            "gpt-3.5-turbo", "gpt-3.5-turbo-0125",
            new TokenUsage { InputTokens = 13, OutputTokens = 12 },
            new CostBreakdown { Input = 0.0000065m, CachedInput = 0m, CacheWrite = 0m, Output = 0.000018m, Total = 0.0000245m },
            "openai/gpt-3.5-turbo", new DateOnly(2024, 1, 25)),

        _ => throw new ArgumentException("No expectation for " + payload, nameof(payload)),
    };

    private sealed record Expectation(string RequestModel, string Model, TokenUsage Usage, CostBreakdown Cost, string Entry, DateOnly EffectiveFrom);
}
