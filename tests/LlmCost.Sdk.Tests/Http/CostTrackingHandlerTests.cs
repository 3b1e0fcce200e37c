using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Tests.Http;

public class CostTrackingHandlerTests
{
    private const string ChatUrl = "https://api.openai.com/v1/chat/completions";
    private const string MessagesUrl = "https://api.anthropic.com/v1/messages";

    private static readonly string ChatRequest = """{"model":"gpt-4o","messages":[{"role":"user","content":"Say hello"}],"stream":false}""";

    private static (ServiceProvider Services, HttpClient Client, FakeProviderHandler Provider) Create(
        FakeProviderHandler provider,
        Action<LlmCostOptions>? configure = null,
        Action<LlmCostClientOptions>? client = null,
        TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddLlmCostTracking(o =>
        {
            o.Environment = "test";
            o.Pipeline.BatchDelay = TimeSpan.Zero;
            configure?.Invoke(o);
        }).AddInMemorySink();
        services.AddHttpClient("llm")
            .AddLlmCostTracking(client ?? (_ => { }))
            .ConfigurePrimaryHttpMessageHandler(() => provider);
        var sp = services.BuildServiceProvider();
        return (sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient("llm"), provider);
    }

    private static async Task<IReadOnlyList<CostRecord>> Records(ServiceProvider services)
    {
        await services.GetRequiredService<ILlmCostTracker>().FlushAsync();
        return services.GetRequiredService<InMemoryCostSink>().Records;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task SystemClock_RecordTimestamp_IsTheCallsStart_NotWhenThePumpBuiltIt()
    {
        // On the system clock the start is worked out on the pump (now less the time elapsed since the call began).
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat-cached.json")));
        await using var _ = services;

        var before = DateTimeOffset.UtcNow;
        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));
        var sent = DateTimeOffset.UtcNow;
        await response.Content.ReadAsStringAsync();
        var records = await Records(services); // built after `sent`

        var record = Assert.Single(records);
        var tolerance = TimeSpan.FromMilliseconds(1); // the two clocks' reads, not the call's time
        Assert.InRange(record.Timestamp, before - tolerance, sent + tolerance);
        Assert.Equal(TimeSpan.Zero, record.Timestamp.Offset);
    }

    [Fact]
    public async Task OtherClock_RecordTimestamp_IsWhatItSaidAtTheStart()
    {
        var start = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero); // a price period's first instant
        var time = new FakeTimeProvider(start);
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat-cached.json")), time: time);
        await using var _ = services;

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));
        time.Advance(TimeSpan.FromSeconds(3)); // before the pump builds the record
        await response.Content.ReadAsStringAsync();

        var record = Assert.Single(await Records(services));
        Assert.Equal(start, record.Timestamp);
    }

    [Fact]
    public async Task SendAsync_OpenAIChat_RecordsUsageCostAndModels()
    {
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat-cached.json")));
        await using var _ = services;

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));
        await response.Content.ReadAsStringAsync();

        var record = Assert.Single(await Records(services));
        Assert.Equal("openai", record.Provider);
        Assert.Equal("chat", record.Operation);
        Assert.Equal("gpt-4o-2024-08-06", record.Model);
        Assert.Equal("gpt-4o", record.RequestModel);
        Assert.Equal("default", record.ServiceTier);
        Assert.False(record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.Null(record.ErrorType);
        Assert.Equal(UsageParsing.Usage(2006, 1920, 0, 300, 0), record.Usage);
        // gpt-4o: 86 uncached × $2.50 + 1920 cached × $1.25 + 300 output × $10.00, per 1M tokens.
        Assert.Equal(0.000215m, record.Cost!.Input);
        Assert.Equal(0.0024m, record.Cost.CachedInput);
        Assert.Equal(0.003m, record.Cost.Output);
        Assert.Equal(0.005615m, record.Cost.Total);
        Assert.Equal(new PriceReference { TableVersion = "2026.11.6", Entry = "openai/gpt-4o", EffectiveFrom = new DateOnly(2024, 10, 1) }, record.Price);
        Assert.Equal("test", record.Tags.Environment);
    }

    [Fact]
    public async Task SendAsync_AnthropicStream_RecordsStreamingUsage()
    {
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("anthropic-messages-stream.sse"), "text/event-stream"));
        await using var _ = services;

        using var response = await client.PostAsync(MessagesUrl, Json("""{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[]}"""));
        await response.Content.ReadAsStringAsync();

        var record = Assert.Single(await Records(services));
        Assert.Equal("anthropic", record.Provider);
        Assert.True(record.Streaming);
        Assert.Equal("claude-sonnet-4-5-20250929", record.Model);
        Assert.Equal("claude-sonnet-4-5", record.RequestModel);
        Assert.Equal(UsageParsing.Usage(25, 0, 0, 15, 0), record.Usage);
        Assert.Equal(0.0003m, record.Cost!.Total); // 25 × $3 + 15 × $15, per 1M tokens
    }

    [Fact]
    public async Task SendAsync_Tags_RequestOverridesScopeOverridesClientOverridesOptions()
    {
        var (services, client, _) = Create(
            new FakeProviderHandler(Payloads.Bytes("openai-chat.json")),
            o => { o.DefaultTags.Team = "options-team"; o.DefaultTags.Feature = "options-feature"; o.DefaultTags.Customer = "options-customer"; o.DefaultTags.Custom["app"] = "web"; },
            c => { c.DefaultTags.Feature = "client-feature"; c.DefaultTags.Customer = "client-customer"; });
        await using var _ = services;

        using (LlmCostScope.Begin(customer: "scope-customer", tags: [new("ticket", "T-1")]))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, ChatUrl) { Content = Json(ChatRequest) };
            request.SetLlmCostTags(new LlmCostTags { Environment = "request-env" });
            using var response = await client.SendAsync(request);
        }

        var tags = Assert.Single(await Records(services)).Tags;
        Assert.Equal("client-feature", tags.Feature);
        Assert.Equal("options-team", tags.Team);
        Assert.Equal("scope-customer", tags.Customer);
        Assert.Equal("request-env", tags.Environment);
        Assert.Equal("web", tags.Custom["app"]);
        Assert.Equal("T-1", tags.Custom["ticket"]);
    }

    [Theory]
    [InlineData("https://example.com/v1/chat/completions", "POST")]
    [InlineData("https://api.openai.com/v1/models", "POST")]
    [InlineData("https://api.openai.com/v1/responses/resp_123", "GET")]
    public async Task SendAsync_NotABillableLlmCall_PassesThroughUntouchedWithoutRecord(string url, string method)
    {
        var (services, client, provider) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat.json")));
        await using var _ = services;
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        var content = method == "POST" ? Json(ChatRequest) : null;
        request.Content = content;

        using var response = await client.SendAsync(request);

        Assert.Same(content, request.Content);
        Assert.IsType<StreamContent>(response.Content);
        Assert.Empty(await Records(services));
        Assert.Equal(1, provider.Calls);
    }

    [Fact]
    public async Task SendAsync_ConfiguredEndpoint_IsTrackedAsItsProvider()
    {
        var (services, client, _) = Create(
            new FakeProviderHandler(Payloads.Bytes("openai-chat.json")),
            o => o.Endpoints.Add(new LlmCostEndpoint { BaseAddress = "https://gateway.internal/openai", Provider = "openai" }));
        await using var _ = services;

        using var response = await client.PostAsync("https://gateway.internal/openai/v1/chat/completions", Json(ChatRequest));
        await response.Content.ReadAsByteArrayAsync();

        var record = Assert.Single(await Records(services));
        Assert.Equal("openai", record.Provider);
        Assert.Equal(0.000118m, record.Cost!.Total); // gpt-4.1: 19 × $2 + 10 × $8, per 1M tokens
    }

    [Fact]
    public async Task SendAsync_RequestBody_ReachesTheProviderByteForByteWithItsHeaders()
    {
        var (services, client, provider) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat.json")));
        await using var _ = services;
        var body = Encoding.UTF8.GetBytes(ChatRequest);
        HttpContent? sentContent = null;
        provider.Respond = request =>
        {
            sentContent = request.Content;
            return FakeProviderHandler.Response(Payloads.Bytes("openai-chat.json"));
        };

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));

        Assert.Equal(body, provider.LastRequestBody);
        Assert.Equal("application/json; charset=utf-8", sentContent!.Headers.ContentType!.ToString());
        Assert.Equal(body.Length, sentContent.Headers.ContentLength);
    }

    [Fact]
    public async Task SendAsync_Wrappers_ShareTheContentsOwnHeaders_WhereTheLengthIsTheSame()
    {
        var (services, client, provider) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat.json")));
        await using var _ = services;
        HttpResponseMessage? providerResponse = null;
        HttpContent? sentContent = null;
        provider.Respond = request =>
        {
            sentContent = request.Content;
            return providerResponse = FakeProviderHandler.Response(Payloads.Bytes("openai-chat.json")); // stores a Content-Length
        };
        // A streamed body is wrapped, to see its bytes as they are sent (a body already in bytes is not wrapped at all).
        using var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ChatRequest)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(ChatUrl, content);

        Assert.NotSame(content, sentContent); // wrapped, to see the bytes as they are sent
        Assert.Same(content.Headers, sentContent!.Headers); // the app's own headers: nothing copied
        Assert.Same(providerResponse!.Content.Headers, response.Content.Headers);
        Assert.True(HttpHeadersCopier.SharesHeaders);
    }

    [Fact]
    public async Task SendAsync_BodyAlreadyInBytes_IsSentUnwrapped()
    {
        var (services, client, provider) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat.json")));
        await using var _ = services;
        HttpContent? sentContent = null;
        provider.Respond = request =>
        {
            sentContent = request.Content;
            return FakeProviderHandler.Response(Payloads.Bytes("openai-chat.json"));
        };
        using var content = Json(ChatRequest);

        using var response = await client.PostAsync(ChatUrl, content);

        Assert.Same(content, sentContent); // read before the send: the transport gets the app's own object
        Assert.Equal("gpt-4o", Assert.Single(await Records(services)).RequestModel);
    }

    [Fact]
    public async Task SendAsync_ChunkedResponseBufferedByTheApp_ReportsTheBufferedLength()
    {
        // No Content-Length: the wrapper keeps a copy of the headers, so the length the app sees once it buffered the body
        // is the buffered length, as without the SDK (the wrapped collection would ask the unbuffered inner content).
        var payload = Payloads.Bytes("openai-chat.json");
        var (services, client, provider) = Create(new FakeProviderHandler(payload));
        await using var _ = services;
        provider.Respond = _ =>
        {
            var chunked = new StreamContent(new NonSeekableStream(payload));
            chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = chunked };
        };

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest)); // buffers the body (ResponseContentRead)

        Assert.Equal(payload.Length, response.Content.Headers.ContentLength);
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
        Assert.Single(await Records(services));
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task SendAsync_Response_IsByteIdenticalWithTheSameHeaders()
    {
        var payload = Payloads.Bytes("openai-chat-stream.sse");
        var (services, client, _) = Create(new FakeProviderHandler(payload, "text/event-stream"));
        await using var _ = services;

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(payload, bytes);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(payload.Length, response.Content.Headers.ContentLength);
        Assert.Equal("kept", Assert.Single(response.Content.Headers.GetValues("X-Test-Header")));
    }

    [Fact]
    public async Task SendAsync_MalformedBody_ReachesTheAppUnchangedAndIsCountedNotThrown()
    {
        var html = "<html>gateway says hi</html>"u8.ToArray();
        var (services, client, _) = Create(new FakeProviderHandler(html));
        await using var _ = services;

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(html, bytes);
        var record = Assert.Single(await Records(services));
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Equal(1, services.GetRequiredService<ILlmCostTracker>().Statistics.MalformedResponses);
    }

    [Fact]
    public async Task SendAsync_UnknownModel_RecordsNullCostAndCountsIt()
    {
        var body = """{"model":"brand-new-model","usage":{"prompt_tokens":10,"completion_tokens":5}}"""u8.ToArray();
        var (services, client, _) = Create(new FakeProviderHandler(body));
        await using var _ = services;

        using var response = await client.PostAsync(ChatUrl, Json("""{"model":"brand-new-model"}"""));
        await response.Content.ReadAsByteArrayAsync();

        var record = Assert.Single(await Records(services));
        Assert.Null(record.Cost);
        Assert.Null(record.Price);
        Assert.Equal(10, record.Usage.InputTokens);
        Assert.Equal(1, services.GetRequiredService<ILlmCostTracker>().Statistics.Unpriced);
    }

    [Fact]
    public async Task SendAsync_OptionsPriceOverride_PricesTheModel()
    {
        var body = """{"model":"in-house-llm","usage":{"prompt_tokens":1000000,"completion_tokens":1000000}}"""u8.ToArray();
        var (services, client, _) = Create(
            new FakeProviderHandler(body),
            o => o.Prices.Add(new ModelPrice { Provider = "openai", Model = "in-house-llm", Input = 0.5m, Output = 1.5m }));
        await using var _ = services;

        using var response = await client.PostAsync(ChatUrl, Json("""{"model":"in-house-llm"}"""));
        await response.Content.ReadAsByteArrayAsync();

        var record = Assert.Single(await Records(services));
        Assert.Equal(2.0m, record.Cost!.Total);
        Assert.Equal("openai/in-house-llm", record.Price!.Entry);
    }

    [Fact]
    public async Task SendAsync_FailedCallWithKnownModel_IsPricedAtZero()
    {
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("openai-error.json"), status: HttpStatusCode.TooManyRequests));
        await using var _ = services;

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));
        await response.Content.ReadAsByteArrayAsync();

        var record = Assert.Single(await Records(services));
        Assert.Equal(429, record.StatusCode);
        Assert.Equal("429", record.ErrorType);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Equal(0m, record.Cost!.Total);
        Assert.Equal("openai/gpt-4o", record.Price!.Entry);
    }

    [Fact]
    public async Task SendAsync_SuccessfulStreamWithoutUsage_RecordsUnknownCostNotZero()
    {
        // With estimation off (UsageEstimatorTests covers it on): the tokens are unknown, never a silent zero.
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat-stream-nousage.sse"), "text/event-stream"), o => o.EstimateMissingUsage = false);
        await using var _ = services;

        using var response = await client.PostAsync(ChatUrl, Json("""{"model":"gpt-3.5-turbo","stream":true}"""));
        await response.Content.ReadAsByteArrayAsync();

        var record = Assert.Single(await Records(services));
        Assert.Equal("gpt-3.5-turbo-0125", record.Model);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Null(record.Cost);
        Assert.Null(record.Price);
        Assert.Equal(1, services.GetRequiredService<ILlmCostTracker>().Statistics.MissingUsage);
    }

    [Fact]
    public async Task SendAsync_Timing_DurationRunsToTheEndOfTheBodyAndTimestampIsTheStart()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat.json")), time: time);
        await using var _ = services;

        using var request = new HttpRequestMessage(HttpMethod.Post, ChatUrl) { Content = Json(ChatRequest) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        time.Advance(TimeSpan.FromMilliseconds(1500)); // the app takes its time reading the body
        await response.Content.ReadAsByteArrayAsync();

        var record = Assert.Single(await Records(services));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), record.Timestamp);
        Assert.Equal(1500, record.DurationMs);
    }

    [Fact]
    public async Task SendAsync_TrackingDisabled_PassesThrough()
    {
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat.json")), o => o.Enabled = false);
        await using var _ = services;

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));

        Assert.IsType<StreamContent>(response.Content);
        Assert.Empty(await Records(services));
    }

    [Fact]
    public async Task SendAsync_QueueShutDown_TheCallStillSucceeds()
    {
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat.json")));
        await services.GetRequiredService<LlmCostPipeline>().ShutdownAsync();

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(Payloads.Text("openai-chat.json"), text);
        Assert.Equal(1, services.GetRequiredService<ILlmCostTracker>().Statistics.DroppedQueueFull);
        await services.DisposeAsync();
    }

    [Fact]
    public async Task Send_Synchronous_IsTracked()
    {
        var (services, client, _) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat.json")));
        await using var _ = services;

        using var request = new HttpRequestMessage(HttpMethod.Post, ChatUrl) { Content = Json(ChatRequest) };
        using var response = client.Send(request);
        using (var stream = response.Content.ReadAsStream())
        {
            stream.CopyTo(Stream.Null);
        }

        var record = Assert.Single(await Records(services));
        Assert.Equal(19, record.Usage.InputTokens);
    }

    [Fact]
    public async Task AddLlmCostTracking_ClientDefaultTagsObject_AppliesToEveryCallOfTheClient()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddInMemorySink();
        services.AddHttpClient("llm")
            .AddLlmCostTracking(new LlmCostTags { Feature = "search", Custom = { ["tier"] = "gold" } })
            .ConfigurePrimaryHttpMessageHandler(() => new FakeProviderHandler(Payloads.Bytes("openai-chat.json")));
        await using var sp = services.BuildServiceProvider();

        using var response = await sp.GetRequiredService<IHttpClientFactory>().CreateClient("llm").PostAsync(ChatUrl, Json(ChatRequest));
        await response.Content.ReadAsByteArrayAsync();

        var tags = Assert.Single(await Records(sp)).Tags;
        Assert.Equal("search", tags.Feature);
        Assert.Equal("gold", tags.Custom["tier"]);
    }

    [Fact]
    public async Task CreateHandler_CustomHttpClient_IsTrackedWithItsDefaults()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddInMemorySink();
        await using var sp = services.BuildServiceProvider();
        var handler = sp.GetRequiredService<ILlmCostTracker>().CreateHandler(new LlmCostTags { Team = "platform" });
        handler.InnerHandler = new FakeProviderHandler(Payloads.Bytes("openai-chat.json"));
        using var client = new HttpClient(handler);

        using var response = await client.PostAsync(ChatUrl, Json(ChatRequest));
        await response.Content.ReadAsByteArrayAsync();

        var record = Assert.Single(await Records(sp));
        Assert.Equal("platform", record.Tags.Team);
    }

    [Fact]
    public async Task SendAsync_PromptCompletionAndKey_NeverReachRecordsOrLogs()
    {
        const string Secret = "sk-proj-SECRET-KEY-123";
        const string Prompt = "PROMPT-MARKER: summarize the merger";
        const string Completion = "Hello! How can I assist you today?"; // the completion text in openai-chat-cached.json
        var logs = new Microsoft.Extensions.Logging.Testing.FakeLogCollector();
        var path = Path.Combine(Path.GetTempPath(), "llmcost-tests", $"{Guid.NewGuid():N}.jsonl");
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider(logs)));
        services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.Zero).AddJsonLinesSink(path).AddInMemorySink();
        var provider = new FakeProviderHandler(Payloads.Bytes("openai-chat-cached.json"));
        services.AddHttpClient("llm").AddLlmCostTracking().ConfigurePrimaryHttpMessageHandler(() => provider);
        await using (var sp = services.BuildServiceProvider())
        {
            var client = sp.GetRequiredService<IHttpClientFactory>().CreateClient("llm");
            using var request = new HttpRequestMessage(HttpMethod.Post, ChatUrl)
            {
                Content = Json($$"""{"model":"gpt-4o","messages":[{"role":"user","content":"{{Prompt}}"}]}"""),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Secret);
            using var response = await client.SendAsync(request);
            Assert.Contains(Completion, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await sp.GetRequiredService<ILlmCostTracker>().FlushAsync();
        }

        var written = await File.ReadAllTextAsync(path) + string.Join("\n", logs.GetSnapshot().Select(r => r.Message + r.Exception));
        File.Delete(path);
        Assert.Contains("gpt-4o-2024-08-06", written, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, written, StringComparison.Ordinal);
        Assert.DoesNotContain("PROMPT-MARKER", written, StringComparison.Ordinal);
        Assert.DoesNotContain(Completion, written, StringComparison.Ordinal);
    }
}
