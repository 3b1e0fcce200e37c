using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.Tokenizers;

namespace LlmCost.Sdk.Tests.Estimation;

/// <summary>
/// Calls whose stream reports no usage get estimated usage, counted with the model's own tokenizer off the call's path.
/// The request is the one the captured stream answered (Payloads/SOURCES.md): gpt-3.5-turbo-0125, one user message "Say hi".
/// </summary>
public class UsageEstimatorTests
{
    private const string ChatUrl = "https://api.openai.com/v1/chat/completions";

    /// <summary>The request the capture in openai-chat-stream.sse answered (the payload's source test, verbatim but for include_usage).</summary>
    private const string SayHiRequest = """{"model":"gpt-3.5-turbo-0125","messages":[{"role":"user","content":"Say hi"}],"stream":true}""";

    /// <summary>gpt-3.5-turbo is cl100k_base (tiktoken's encoding_for_model); created here independently of the SDK's table.</summary>
    private static readonly Tokenizer Gpt35 = TiktokenTokenizer.CreateForModel("gpt-3.5-turbo");

    private static (ServiceProvider Services, HttpClient Client) Create(
        FakeProviderHandler provider, Action<LlmCostOptions>? configure = null, bool tokenizers = true, ILlmUsageEstimator? estimator = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddLlmCostTracking(o =>
        {
            o.Pipeline.BatchDelay = TimeSpan.Zero;
            configure?.Invoke(o);
        }).AddInMemorySink();
        if (estimator is not null)
        {
            services.AddSingleton(estimator);
        }

        if (tokenizers)
        {
            builder.AddTokenizerEstimation();
        }

        services.AddHttpClient("llm").AddLlmCostTracking().ConfigurePrimaryHttpMessageHandler(() => provider);
        var sp = services.BuildServiceProvider();
        return (sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient("llm"));
    }

    private static async Task<CostRecord> SingleRecordAsync(ServiceProvider services)
    {
        await services.GetRequiredService<ILlmCostTracker>().FlushAsync();
        return Assert.Single(services.GetRequiredService<InMemoryCostSink>().Records);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The streamed text of a Chat Completions SSE payload: every <c>choices[0].delta.content</c>, in order.</summary>
    private static string StreamedText(byte[] sse)
    {
        var text = new StringBuilder();
        foreach (var line in Encoding.UTF8.GetString(sse).Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using var chunk = System.Text.Json.JsonDocument.Parse(line["data: ".Length..]);
                foreach (var choice in chunk.RootElement.GetProperty("choices").EnumerateArray())
                {
                    if (choice.GetProperty("delta").TryGetProperty("content", out var content))
                    {
                        text.Append(content.GetString());
                    }
                }
            }
        }

        return text.ToString();
    }

    /// <summary>The input the estimator is documented to count: 3 per message + 1 for the role + the content + 3 priming the reply.</summary>
    private static int CookbookInput(params string[] userMessages) =>
        userMessages.Sum(m => 3 + 1 + Gpt35.CountTokens(m)) + 3;

    /// <summary>openai-chat-stream.sse without its usage chunk: the wire shape of the same stream without include_usage.</summary>
    private static byte[] WithoutUsageChunk(byte[] sse) => [.. StubReply.SplitEvents(sse)
        .Where(e => !Encoding.UTF8.GetString(e).Contains("\"usage\":{", StringComparison.Ordinal))
        .SelectMany(e => e)];

    [Fact]
    public async Task SendAsync_StreamWithoutUsage_RecordsEstimatedUsageAndCost()
    {
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var (services, client) = Create(new FakeProviderHandler(body, "text/event-stream"));
        await using var _ = services;

        using (var response = await client.PostAsync(ChatUrl, Json(SayHiRequest)))
        {
            Assert.Equal(body, await response.Content.ReadAsByteArrayAsync()); // the app reads the stream unchanged
        }

        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);
        Assert.Equal("gpt-3.5-turbo-0125", record.Model);
        Assert.True(record.Streaming);

        // Output: the tokenizer's count of the streamed deltas, "Hi, how are you?".
        Assert.Equal("Hi, how are you?", StreamedText(body));
        Assert.Equal(Gpt35.CountTokens("Hi, how are you?"), record.Usage.OutputTokens);
        Assert.Equal(6, record.Usage.OutputTokens); // Hi | , | how | are | you | ?

        // Input: "Say hi" (2 tokens) + 3 per message + 1 for the role "user" + 3 priming the reply.
        Assert.Equal(CookbookInput("Say hi"), record.Usage.InputTokens);
        Assert.Equal(9, record.Usage.InputTokens);

        // gpt-3.5-turbo: $0.50 input, $1.50 output per 1M tokens: 9 × 0.50 + 6 × 1.50 = $0.0000135.
        Assert.Equal(0.0000045m, record.Cost!.Input);
        Assert.Equal(0.000009m, record.Cost.Output);
        Assert.Equal(0.0000135m, record.Cost.Total);
        Assert.Equal("openai/gpt-3.5-turbo", record.Price!.Entry);
        Assert.Equal("estimated", System.Text.Json.JsonDocument.Parse(CostRecordJson.Serialize(record)).RootElement.GetProperty("usage").GetProperty("source").GetString());
        Assert.Equal(0, services.GetRequiredService<ILlmCostTracker>().Statistics.MissingUsage);
    }

    [Fact]
    public async Task SendAsync_SameStreamWithUsageChunkRemoved_EstimateMatchesProviderCount()
    {
        var withUsage = Payloads.Bytes("openai-chat-stream.sse");

        // The provider's own count of this very call: 10 input, 5 output.
        var (reported, reportedClient) = Create(new FakeProviderHandler(withUsage, "text/event-stream"));
        await using (reported)
        {
            using (var response = await reportedClient.PostAsync(ChatUrl, Json(SayHiRequest)))
            {
                await response.Content.ReadAsByteArrayAsync();
            }

            var provider = (await SingleRecordAsync(reported)).Usage;
            Assert.Equal(UsageSource.Provider, provider.Source);
            Assert.Equal(10, provider.InputTokens);
            Assert.Equal(5, provider.OutputTokens);

            var (services, client) = Create(new FakeProviderHandler(WithoutUsageChunk(withUsage), "text/event-stream"));
            await using var _ = services;
            using (var response = await client.PostAsync(ChatUrl, Json(SayHiRequest)))
            {
                await response.Content.ReadAsByteArrayAsync();
            }

            var estimated = (await SingleRecordAsync(services)).Usage;
            Assert.Equal(UsageSource.Estimated, estimated.Source);

            // Documented tolerance: one token either way on each side of this short call. The stream has six content
            // deltas (one token each) but OpenAI billed five output tokens; the prompt is one token under OpenAI's count.
            Assert.InRange(estimated.OutputTokens, provider.OutputTokens - 1, provider.OutputTokens + 1);
            Assert.InRange(estimated.InputTokens, provider.InputTokens - 1, provider.InputTokens + 1);
        }
    }

    [Fact]
    public async Task SendAsync_ResponsesStreamWithUsageRemoved_EstimateIsCloseToProviderCount()
    {
        // The request the capture in openai-responses-stream.sse answered, and the stream with its usage set to null
        // (as a proxy that strips it would send): the provider counted 13 input and 12 output tokens.
        const string Request = """{"model":"gpt-3.5-turbo-0125","input":[{"role":"user","content":"Say some greetings"}],"stream":true}""";
        var payload = Payloads.Text("openai-responses-stream.sse");
        var usage = System.Text.RegularExpressions.Regex.Match(payload, "\"usage\":\\{\"input_tokens\":13.*?\"total_tokens\":25\\}");
        Assert.True(usage.Success);
        var body = Encoding.UTF8.GetBytes(payload.Replace(usage.Value, "\"usage\":null", StringComparison.Ordinal));
        var (services, client) = Create(new FakeProviderHandler(body, "text/event-stream"));
        await using var _ = services;

        using (var response = await client.PostAsync("https://api.openai.com/v1/responses", Json(Request)))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);

        // Output: the eleven output_text.delta events, once (the .done and completed events repeat the text).
        Assert.Equal(Gpt35.CountTokens("Greetings, hello, hi, hey, salutations!"), record.Usage.OutputTokens);
        Assert.InRange(record.Usage.OutputTokens, 12 - 1, 12 + 1);

        // Input: the chat formula; the Responses API adds a few tokens of its own (documented tolerance: 3 tokens).
        Assert.Equal(CookbookInput("Say some greetings"), record.Usage.InputTokens);
        Assert.InRange(record.Usage.InputTokens, 13 - 3, 13 + 3);
    }

    [Fact]
    public async Task SendAsync_StreamDisposedAfterFirstEvents_EstimatesWhatWasRead()
    {
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var provider = new FakeProviderHandler(body, "text/event-stream");
        provider.Respond = _ =>
        {
            var content = new StreamContent(new OneEventPerReadStream(body));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        };
        var (services, client) = Create(provider);
        await using var _ = services;

        using (var request = new HttpRequestMessage(HttpMethod.Post, ChatUrl) { Content = Json(SayHiRequest) })
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            Assert.Contains("\"role\":\"assistant\"", Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer)), StringComparison.Ordinal);
            Assert.Contains("\"content\":\"Hi\"", Encoding.UTF8.GetString(buffer, 0, await stream.ReadAsync(buffer)), StringComparison.Ordinal);
            await stream.DisposeAsync(); // the app stops reading: the rest of the answer is never seen
        }

        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);
        Assert.Equal(Gpt35.CountTokens("Hi"), record.Usage.OutputTokens);
        Assert.Equal(1, record.Usage.OutputTokens);
        Assert.Equal(CookbookInput("Say hi"), record.Usage.InputTokens);

        // 9 × $0.50 + 1 × $1.50 per 1M tokens.
        Assert.Equal(0.000006m, record.Cost!.Total);
    }

    [Fact]
    public async Task SendAsync_EstimatorBlocked_AppReadCompletesAndRecordFollowsRelease()
    {
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var (services, client) = Create(new FakeProviderHandler(body, "text/event-stream"));
        await using var _ = services;
        var estimator = services.GetRequiredService<UsageEstimator>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        estimator.BeforeEstimate = () =>
        {
            started.TrySetResult();
            return gate.Task;
        };

        using (var response = await client.PostAsync(ChatUrl, Json(SayHiRequest)))
        {
            // The app's read completes while the estimator cannot run.
            Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        }

        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var tracker = services.GetRequiredService<ILlmCostTracker>();
        using (var early = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            // A flush waits for the estimate, and nothing has been recorded yet.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tracker.FlushAsync(early.Token));
        }

        Assert.Empty(services.GetRequiredService<InMemoryCostSink>().Records);
        Assert.Equal(0, tracker.Statistics.Queued);

        gate.SetResult();
        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);
        Assert.Equal(6, record.Usage.OutputTokens);
    }

    [Fact]
    public async Task SendAsync_EstimateMissingUsageOff_RecordsNoUsageAndNullCost()
    {
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var (services, client) = Create(new FakeProviderHandler(body, "text/event-stream"), o => o.EstimateMissingUsage = false);
        await using var _ = services;

        using (var response = await client.PostAsync(ChatUrl, Json(SayHiRequest)))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Equal(0, record.Usage.InputTokens);
        Assert.Equal(0, record.Usage.OutputTokens);
        Assert.Null(record.Cost);
        Assert.Null(record.Price);
        var json = System.Text.Json.JsonDocument.Parse(CostRecordJson.Serialize(record)).RootElement;
        Assert.Equal("none", json.GetProperty("usage").GetProperty("source").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("cost").ValueKind);
        Assert.Equal(1, services.GetRequiredService<ILlmCostTracker>().Statistics.MissingUsage);
    }

    [Fact]
    public async Task SendAsync_StreamWithUsage_KeepsProviderUsage()
    {
        var (services, client) = Create(new FakeProviderHandler(Payloads.Bytes("openai-chat-stream.sse"), "text/event-stream"));
        await using var _ = services;

        using (var response = await client.PostAsync(ChatUrl, Json(SayHiRequest)))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageParsing.Usage(10, 0, 0, 5, 0), record.Usage);
    }

    [Fact]
    public async Task SendAsync_AnthropicStream_KeepsProviderUsage()
    {
        var (services, client) = Create(new FakeProviderHandler(Payloads.Bytes("anthropic-messages-stream.sse"), "text/event-stream"));
        await using var _ = services;
        using (var request = TrackedHost.AnthropicRequest(stream: true))
        using (var response = await client.SendAsync(request))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(25, record.Usage.InputTokens);
        Assert.Equal(15, record.Usage.OutputTokens);
    }

    [Fact]
    public async Task SendAsync_WithoutAnEstimatorPackage_NoUsageNullCostAndNoError()
    {
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var (services, client) = Create(new FakeProviderHandler(body, "text/event-stream"), tokenizers: false);
        await using var _ = services;
        Assert.False(services.GetRequiredService<UsageEstimator>().Enabled);

        using (var response = await client.PostAsync(ChatUrl, Json(SayHiRequest)))
        {
            Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        }

        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Null(record.Cost);
        var statistics = services.GetRequiredService<ILlmCostTracker>().Statistics;
        Assert.Equal(1, statistics.MissingUsage);
        Assert.Equal(0, statistics.InternalErrors);
    }

    [Fact]
    public async Task SendAsync_CustomEstimator_GetsTheCallAndItsRawBytesAndItsCountIsRecordedAsEstimated()
    {
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var custom = new RecordingEstimator();
        var (services, client) = Create(new FakeProviderHandler(body, "text/event-stream"), tokenizers: false, estimator: custom);
        await using var _ = services;

        using (var response = await client.PostAsync(ChatUrl, Json(SayHiRequest)))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);
        Assert.Equal(42, record.Usage.OutputTokens);
        var seen = Assert.Single(custom.Seen);
        Assert.Equal("openai", seen.Provider);
        Assert.Equal("chat", seen.Operation);
        Assert.Equal(LlmApiFormat.OpenAI, seen.Format);
        Assert.Equal("gpt-3.5-turbo-0125", seen.Model);
        Assert.Equal(SayHiRequest, seen.Request);
        Assert.Equal(Encoding.UTF8.GetString(body), seen.Response);
    }

    [Fact]
    public async Task SendAsync_EstimatorThrows_CountedAndRecordedWithoutUsage()
    {
        var body = Payloads.Bytes("openai-chat-stream-nousage.sse");
        var (services, client) = Create(new FakeProviderHandler(body, "text/event-stream"), tokenizers: false, estimator: new RecordingEstimator { Throw = true });
        await using var _ = services;

        using (var response = await client.PostAsync(ChatUrl, Json(SayHiRequest)))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        var record = await SingleRecordAsync(services);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Equal(1, services.GetRequiredService<ILlmCostTracker>().Statistics.InternalErrors);
    }

    /// <summary>An estimator of another tokenizer, plugged in through the public extension point; copies what it is given.</summary>
    private sealed class RecordingEstimator : ILlmUsageEstimator
    {
        public List<(string Provider, string Operation, LlmApiFormat Format, string? Model, string Request, string Response)> Seen { get; } = [];

        public bool Throw { get; init; }

        public TokenUsage? Estimate(LlmUsageEstimationContext context)
        {
            if (Throw)
            {
                throw new InvalidOperationException("test");
            }

            Seen.Add((context.Provider, context.Operation, context.Format, context.Model,
                Encoding.UTF8.GetString(context.RequestBody.Span), Encoding.UTF8.GetString(context.ResponseBody.Span)));
            return new TokenUsage { InputTokens = 7, OutputTokens = 42, Source = UsageSource.Provider }; // recorded as estimated anyway
        }
    }
}
