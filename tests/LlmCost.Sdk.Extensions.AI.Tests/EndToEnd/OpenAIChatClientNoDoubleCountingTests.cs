using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace LlmCost.Sdk.Extensions.AI.Tests.EndToEnd;

/// <summary>
/// The rule that prevents double counting, on the real OpenAI .NET SDK's IChatClient (Microsoft.Extensions.AI.OpenAI)
/// decorated with <c>UseLlmCostTracking()</c>, over an HttpClient from IHttpClientFactory whose terminal handler replays
/// real OpenAI payloads:
/// <list type="bullet">
/// <item><description>HttpClient with the cost handler: the handler records the call (from the bytes, with the status code)
/// and the decorator stands aside: exactly one record.</description></item>
/// <item><description>HttpClient without it: the decorator records the call: exactly one record, with the same tokens and
/// the same cost to the last digit.</description></item>
/// </list>
/// </summary>
public sealed class OpenAIChatClientNoDoubleCountingTests
{
    public static TheoryData<string, Api, bool> Calls => new()
    {
        { "openai-chat.json", Api.ChatCompletions, false },
        { "openai-chat-cached.json", Api.ChatCompletions, false },
        { "openai-chat-stream.sse", Api.ChatCompletions, true },
        { "openai-responses.json", Api.Responses, false },
        { "openai-responses-stream.sse", Api.Responses, true },
    };

    public enum Api
    {
        ChatCompletions,
        Responses,
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Call_DecoratedClientOverTrackedHttpClient_OneRecordFromTheHttpHandler(string payload, Api api, bool streaming)
    {
        var expected = Expected(payload);
        var handler = new FakeProviderHandler(Payloads.Bytes(payload), Payloads.MediaType(payload));
        await using var services = CreateServices(handler);
        using var client = CreateChatClient(services, "tracked", api, expected.RequestModel);

        var response = await CallAsync(client, streaming);

        Assert.Equal(1, handler.Calls);
        var record = await services.SingleRecordAsync();
        Assert.Equal(200, record.StatusCode); // the HTTP handler's record: only it sees a status code
        AssertRecord(expected, streaming, record);
        AssertAgreesWithApp(response, record);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task Call_DecoratedClientOverUntrackedHttpClient_OneRecordFromTheDecoratorWithTheSameNumbers(string payload, Api api, bool streaming)
    {
        var expected = Expected(payload);
        var handler = new FakeProviderHandler(Payloads.Bytes(payload), Payloads.MediaType(payload));
        await using var services = CreateServices(handler);
        using var client = CreateChatClient(services, "untracked", api, expected.RequestModel);

        var response = await CallAsync(client, streaming);

        Assert.Equal(1, handler.Calls);
        var record = await services.SingleRecordAsync();
        Assert.Null(record.StatusCode); // the decorator's record
        AssertRecord(expected, streaming, record);
        AssertAgreesWithApp(response, record);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Call_TrackedAndUntracked_RecordsAgreeOnEverythingButTheStatusCode(bool streaming)
    {
        var payload = streaming ? "openai-chat-stream.sse" : "openai-chat-cached.json";
        var model = Expected(payload).RequestModel;
        var handler = new FakeProviderHandler(Payloads.Bytes(payload), Payloads.MediaType(payload));
        await using var services = CreateServices(handler);
        using var tracked = CreateChatClient(services, "tracked", Api.ChatCompletions, model);
        using var untracked = CreateChatClient(services, "untracked", Api.ChatCompletions, model);

        await CallAsync(tracked, streaming);
        await CallAsync(untracked, streaming);

        var records = await services.RecordsAsync();
        Assert.Equal(2, records.Count);
        var (fromHttp, fromDecorator) = (records[0], records[1]);
        Assert.Equal(200, fromHttp.StatusCode);
        Assert.Null(fromDecorator.StatusCode);

        // The served tier: the handler reads it from the bytes, the decorator from the OpenAI SDK's raw response.
        Assert.Equal("default", fromHttp.ServiceTier);
        Assert.Equal("default", fromDecorator.ServiceTier);
        Assert.Equal(
            fromHttp with { Id = default, Timestamp = default, DurationMs = 0, StatusCode = null, Tags = LlmCostTags.Empty },
            fromDecorator with { Id = default, Timestamp = default, DurationMs = 0, Tags = LlmCostTags.Empty });

        // The attribution differs only by the tracked HttpClient's own default team, which the untracked one does not have.
        Assert.Equal("http-client-team", fromHttp.Tags.Team);
        Assert.Equal(new LlmCostTags(fromHttp.Tags) { Team = "platform" }, fromDecorator.Tags);
    }

    [Fact]
    public async Task Call_PerCallTagsInChatOptions_ReachTheHttpHandlersRecord()
    {
        var handler = new FakeProviderHandler(Payloads.Bytes("openai-chat-cached.json"));
        await using var services = CreateServices(handler);
        using var client = CreateChatClient(services, "tracked", Api.ChatCompletions, "gpt-4o", new LlmCostTags { Customer = "decorator-default" });

        var options = new ChatOptions
        {
            AdditionalProperties = new()
            {
                [LlmCostChatOptionsKeys.Feature] = "ticket-triage",
                [LlmCostChatOptionsKeys.CustomTagPrefix + "experiment"] = "b",
            },
        };
        using (LlmCostScope.Begin(feature: "scope-feature", tags: [new("experiment", "a")]))
        {
            await client.GetResponseAsync("Hello", options);
        }

        var record = await services.SingleRecordAsync();
        Assert.Equal(200, record.StatusCode);
        Assert.Equal(
            new LlmCostTags
            {
                Feature = "ticket-triage",              // ChatOptions over the scope
                Team = "http-client-team",               // the HttpClient's defaults over the options'
                Customer = "decorator-default",          // the decorator's defaults
                Environment = TestServices.Environment,  // options
                Custom = { ["experiment"] = "b", ["region"] = "eu" },
            },
            record.Tags);
    }

    private static ServiceProvider CreateServices(FakeProviderHandler handler) => TestServices.Create(services: s =>
    {
        s.AddHttpClient("tracked")
            .AddLlmCostTracking(o => o.DefaultTags.Team = "http-client-team")
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        s.AddHttpClient("untracked")
            .ConfigurePrimaryHttpMessageHandler(() => handler);
    });

    private static IChatClient CreateChatClient(IServiceProvider services, string httpClientName, Api api, string model, LlmCostTags? defaultTags = null)
    {
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName);
        var options = new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        IChatClient sdkClient = api == Api.ChatCompletions
            ? new OpenAI.Chat.ChatClient(model, new ApiKeyCredential("sk-test"), options).AsIChatClient()
            : new OpenAIClient(new ApiKeyCredential("sk-test"), options).GetResponsesClient().AsIChatClient(model);
        return sdkClient.AsBuilder().UseLlmCostTracking(defaultTags).Build(services);
    }

    private static async Task<ChatResponse> CallAsync(IChatClient client, bool streaming)
    {
        if (!streaming)
        {
            return await client.GetResponseAsync("Hello");
        }

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync("Hello"))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    private static void AssertRecord(Expectation expected, bool streaming, CostRecord record)
    {
        Assert.Equal("openai", record.Provider);
        Assert.Equal("chat", record.Operation);
        Assert.Equal(expected.Model, record.Model);
        Assert.Equal(expected.RequestModel, record.RequestModel);
        Assert.Equal(streaming, record.Streaming);
        Assert.Null(record.ErrorType);
        Assert.Equal(expected.Usage with { Source = UsageSource.Provider }, record.Usage);
        Assert.Equal(expected.Cost, record.Cost);
        Assert.Equal(expected.Entry, record.Price?.Entry);
        Assert.Equal(record.Cost!.Total, record.Cost.Input + record.Cost.CachedInput + record.Cost.CacheWrite + record.Cost.Output);
    }

    /// <summary>The record agrees with what the app itself got through Microsoft.Extensions.AI.</summary>
    private static void AssertAgreesWithApp(ChatResponse response, CostRecord record)
    {
        var usage = Assert.IsType<UsageDetails>(response.Usage);
        Assert.Equal(usage.InputTokenCount, record.Usage.InputTokens);
        Assert.Equal(usage.OutputTokenCount, record.Usage.OutputTokens);
        Assert.Equal(usage.CachedInputTokenCount ?? 0, record.Usage.CachedInputTokens);
        Assert.Equal(usage.ReasoningTokenCount ?? 0, record.Usage.ReasoningTokens);
        Assert.Equal(response.ModelId, record.Model);
    }

    /// <summary>What each payload must produce: usage from the payload, cost worked out by hand from the published prices.</summary>
    private static Expectation Expected(string payload) => payload switch
    {
        // gpt-4.1: $2.00 input / $0.50 cached input / $8.00 output per 1M tokens. 19 input (0 cached), 10 output.
        // input 19 × 2.00 / 1M = 0.000038; output 10 × 8.00 / 1M = 0.00008; total 0.000118
        "openai-chat.json" => new(
            "gpt-4.1", "gpt-4.1-2025-04-14",
            new TokenUsage { InputTokens = 19, OutputTokens = 10 },
            new CostBreakdown { Input = 0.000038m, CachedInput = 0m, CacheWrite = 0m, Output = 0.00008m, Total = 0.000118m },
            "openai/gpt-4.1"),

        // gpt-4o: $2.50 input / $1.25 cached input / $10.00 output per 1M tokens. 2006 input of which 1920 cached, 300 output.
        // input (2006 − 1920) = 86 × 2.50 / 1M = 0.000215; cached 1920 × 1.25 / 1M = 0.0024; output 300 × 10.00 / 1M = 0.003
        // total 0.005615
        "openai-chat-cached.json" => new(
            "gpt-4o", "gpt-4o-2024-08-06",
            new TokenUsage { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300 },
            new CostBreakdown { Input = 0.000215m, CachedInput = 0.0024m, CacheWrite = 0m, Output = 0.003m, Total = 0.005615m },
            "openai/gpt-4o"),

        // gpt-3.5-turbo(-0125): $0.50 input / $1.50 output per 1M tokens. 10 input, 5 output (last chunk, include_usage).
        // input 10 × 0.50 / 1M = 0.000005; output 5 × 1.50 / 1M = 0.0000075; total 0.0000125
        "openai-chat-stream.sse" => new(
            "gpt-3.5-turbo", "gpt-3.5-turbo-0125",
            new TokenUsage { InputTokens = 10, OutputTokens = 5 },
            new CostBreakdown { Input = 0.000005m, CachedInput = 0m, CacheWrite = 0m, Output = 0.0000075m, Total = 0.0000125m },
            "openai/gpt-3.5-turbo"),

        // o1: $15.00 input / $7.50 cached input / $60.00 output per 1M tokens. 81 input, 1035 output of which 832 reasoning.
        // input 81 × 15.00 / 1M = 0.001215; output 1035 × 60.00 / 1M = 0.0621; total 0.063315
        "openai-responses.json" => new(
            "o1", "o1-2024-12-17",
            new TokenUsage { InputTokens = 81, OutputTokens = 1035, ReasoningTokens = 832 },
            new CostBreakdown { Input = 0.001215m, CachedInput = 0m, CacheWrite = 0m, Output = 0.0621m, Total = 0.063315m },
            "openai/o1"),

        // gpt-3.5-turbo(-0125): 13 input, 12 output (response.completed → response.usage).
        // input 13 × 0.50 / 1M = 0.0000065; output 12 × 1.50 / 1M = 0.000018; total 0.0000245
        "openai-responses-stream.sse" => new(
            "gpt-3.5-turbo", "gpt-3.5-turbo-0125",
            new TokenUsage { InputTokens = 13, OutputTokens = 12 },
            new CostBreakdown { Input = 0.0000065m, CachedInput = 0m, CacheWrite = 0m, Output = 0.000018m, Total = 0.0000245m },
            "openai/gpt-3.5-turbo"),

        _ => throw new ArgumentException("No expectation for " + payload, nameof(payload)),
    };

    private sealed record Expectation(string RequestModel, string Model, TokenUsage Usage, CostBreakdown Cost, string Entry);
}
