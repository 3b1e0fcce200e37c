using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// Every way an HTTP call can end yields exactly one record, and the app sees exactly what it would see without the SDK.
/// A plain HttpClient (IHttpClientFactory, cost handler, redirect) talks to a real local server.
/// </summary>
public sealed class CallPathTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("openai-chat-cached.json", false)]
    [InlineData("openai-chat-stream.sse", true)]
    public async Task Send_ReadToEnd_RecordsOnceWithUsage(string payload, bool streaming)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.ForPayload(payload));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();

        using (var request = TrackedHost.OpenAIChatRequest("gpt-4o", streaming))
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            var stream = await response.Content.ReadAsStreamAsync();
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(Payloads.Bytes(payload), copy.ToArray());

            // The record is made at the end of the body, before the response is disposed.
            await host.Tracker.FlushAsync();
            Assert.Single(host.Sink.Records);
        }

        var record = await host.SingleRecordAsync();
        Assert.Equal(streaming, record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.Null(record.ErrorType);
        Assert.Equal("gpt-4o", record.RequestModel);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        if (streaming)
        {
            Assert.Equal(10, record.Usage.InputTokens);
            Assert.Equal(5, record.Usage.OutputTokens);
        }
        else
        {
            Assert.Equal(2006, record.Usage.InputTokens);
            Assert.Equal(1920, record.Usage.CachedInputTokens);
            Assert.Equal(300, record.Usage.OutputTokens);
        }
    }

    [Theory]
    [InlineData("openai-chat-cached.json", false)]
    [InlineData("openai-chat-stream.sse", true)]
    public async Task SendSynchronously_ReadToEnd_RecordsOnceWithUsage(string payload, bool streaming)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.ForPayload(payload));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();

        using (var request = TrackedHost.OpenAIChatRequest("gpt-4o", streaming))
        using (var response = client.Send(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var stream = response.Content.ReadAsStream();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.Equal(Payloads.Bytes(payload), copy.ToArray());
        }

        var record = await host.SingleRecordAsync();
        Assert.Equal(streaming, record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.Null(record.ErrorType);
        Assert.Equal("gpt-4o", record.RequestModel);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(streaming ? 10 : 2006, record.Usage.InputTokens);
        Assert.Equal(streaming ? 5 : 300, record.Usage.OutputTokens);
    }

    [Fact]
    public async Task Send_RequestTagsScopeClientAndOptions_MergedMostSpecificFirst()
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat-cached.json"));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();

        using (LlmCostScope.Begin(feature: "outer-feature", customer: "scope-customer", tags: [new("experiment", "a")]))
        using (LlmCostScope.Begin(feature: "ticket-triage", tags: [new("experiment", "b"), new("tier", "gold")]))
        {
            using var request = TrackedHost.OpenAIChatRequest("gpt-4o");
            var requestTags = new LlmCostTags { Customer = "acme" };
            requestTags.Custom["tier"] = "platinum";
            request.SetLlmCostTags(requestTags);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var record = await host.SingleRecordAsync();
        var expected = new LlmCostTags
        {
            Feature = "ticket-triage",             // inner scope, over the outer scope and the options
            Team = TrackedHost.ClientTeam,         // client defaults, over the options
            Customer = "acme",                     // request, over the scope
            Environment = TrackedHost.Environment, // options
            Custom =
            {
                ["experiment"] = "b",                   // inner scope, over the outer scope
                ["tier"] = "platinum",                  // request, over the scope
                ["region"] = TrackedHost.DefaultRegion, // options
            },
        };
        Assert.Equal(expected, record.Tags);
    }

    [Theory]
    [InlineData("openai-chat-stream.sse")]
    [InlineData("anthropic-messages-stream.sse")]
    public async Task Stream_PartlyReadThenDisposed_RecordsOnceWithWhatWasRead(string payload)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = await ProviderStub.StartAsync(StubReply.Sse(payload, gate));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();
        using var cts = new CancellationTokenSource(Timeout);

        using (var request = TrackedHost.RequestFor(payload))
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token))
        {
            var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            var first = await TrackedHost.ReadFirstEventAsync(stream, cts.Token);
            Assert.Equal(StubReply.SplitEvents(Payloads.Bytes(payload))[0], first);
        }

        var record = await host.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Equal(200, record.StatusCode);
        if (payload.StartsWith("anthropic", StringComparison.Ordinal))
        {
            // message_start reported the input and a placeholder output token (1), not what the provider billed for the
            // tokens it generated: the partial usage is not priced as if complete (issue 12, item 7), and is counted.
            Assert.Equal("claude-sonnet-4-5-20250929", record.Model);
            Assert.Equal(UsageSource.None, record.Usage.Source);
            Assert.Null(record.Cost);
            Assert.Equal(1, host.Tracker.Statistics.PartialUsage);
            Assert.Equal(0, host.Tracker.Statistics.MalformedResponses);
        }
        else
        {
            // The usage chunk comes last: none was read, so the tokens of what was sent and read are estimated.
            Assert.Equal("gpt-3.5-turbo-0125", record.Model);
            Assert.Equal(UsageSource.Estimated, record.Usage.Source);
        }
    }

    [Theory]
    [InlineData("openai-chat-cached.json", false)]
    [InlineData("openai-chat-stream.sse", true)]
    public async Task Send_BodyNeverRead_RecordsOnceOnDispose(string payload, bool streaming)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.ForPayload(payload));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();

        using (var request = TrackedHost.OpenAIChatRequest("gpt-4o", streaming))
        {
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        var record = await host.SingleRecordAsync();
        Assert.Equal(streaming, record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal("gpt-4o", record.RequestModel);
        Assert.Equal(streaming ? UsageSource.Estimated : UsageSource.None, record.Usage.Source); // a stream's input is estimated
    }

    [Fact]
    public async Task Stream_CancelledAfterFirstEvent_AppSeesSameCancellationAndOneRecordWithErrorType()
    {
        await using var stub = await ProviderStub.StartAsync();
        await using var host = TrackedHost.Create(stub);

        using var untracked = host.CreateUntrackedClient();
        var (expected, expectedToken) = await CancelMidStreamAsync(stub, untracked);
        Assert.Empty(host.Sink.Records);

        using var tracked = host.CreateClient();
        var (actual, actualToken) = await CancelMidStreamAsync(stub, tracked);

        Assert.IsAssignableFrom<OperationCanceledException>(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expectedToken, ((OperationCanceledException)expected).CancellationToken);
        Assert.Equal(actualToken, ((OperationCanceledException)actual).CancellationToken);

        var record = await host.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal(actual.GetType().FullName, record.ErrorType);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source); // the stream carried no usage: what was sent and read is estimated
    }

    [Theory]
    [InlineData("openai-error.json", "https://api.openai.com/v1/chat/completions", "gpt-4o")]
    [InlineData("anthropic-error.json", "https://api.anthropic.com/v1/messages", "claude-sonnet-4-5")]
    public async Task Send_ServerError500_RecordsOnceWithStatusAndNoUsage(string payload, string url, string model)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json(payload, statusCode: 500));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();

        using (var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent($$"""{"model":"{{model}}","max_tokens":16,"messages":[{"role":"user","content":"Hello"}]}""", System.Text.Encoding.UTF8, "application/json"),
        })
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal(Payloads.Bytes(payload), await response.Content.ReadAsByteArrayAsync());
        }

        var record = await host.SingleRecordAsync();
        Assert.Equal(500, record.StatusCode);
        Assert.Equal("500", record.ErrorType);
        Assert.False(record.Streaming);
        Assert.Null(record.Model);
        Assert.Equal(model, record.RequestModel);
        Assert.Equal(TokenUsage.None, record.Usage);
        Assert.Equal(UsageSource.None, record.Usage.Source);

        // No usage, so nothing is charged: the cost is either unknown or zero, never a made-up amount.
        Assert.True(record.Cost is null || record.Cost.Total == 0m, $"cost {record.Cost}");
    }

    [Theory]
    [InlineData("openai-chat-cached.json", false)]
    [InlineData("openai-chat-cached.json", true)]
    [InlineData("openai-chat-stream.sse", false)]
    [InlineData("openai-chat-stream.sse", true)]
    public async Task Send_ConnectionResetMidBody_AppSeesSameExceptionAndOneRecordWithErrorType(string payload, bool readAsStream)
    {
        await using var stub = await ProviderStub.StartAsync();
        await using var host = TrackedHost.Create(stub);

        using var untracked = host.CreateUntrackedClient();
        var expected = await ResetMidBodyAsync(stub, untracked, payload, readAsStream);
        Assert.Empty(host.Sink.Records);

        using var tracked = host.CreateClient();
        var actual = await ResetMidBodyAsync(stub, tracked, payload, readAsStream);

        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.InnerException?.GetType(), actual.InnerException?.GetType());
        Assert.True(actual is HttpRequestException or IOException, actual.ToString());

        var record = await host.SingleRecordAsync();
        Assert.True(200 == record.StatusCode, record.ToJson() + "\n" + actual);
        Assert.NotNull(record.ErrorType);
        Assert.Equal("gpt-4o", record.RequestModel);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_LaterHandlerThrows_AppGetsThatExceptionInstanceAndOneRecord(bool synchronous)
    {
        await using var stub = await ProviderStub.StartAsync();
        var thrown = new InvalidOperationException("boom from a later handler");
        await using var host = TrackedHost.Create(stub, b => b.AddHttpMessageHandler(() => new ThrowingHandler(thrown)));
        using var client = host.CreateClient();

        using var request = TrackedHost.OpenAIChatRequest("gpt-4o");
        var caught = synchronous
            ? Assert.Throws<InvalidOperationException>(() => client.Send(request))
            : await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendAsync(request));

        Assert.Same(thrown, caught);
        Assert.Empty(stub.Requests);

        var record = await host.SingleRecordAsync();
        Assert.Null(record.StatusCode);
        Assert.Equal(typeof(InvalidOperationException).FullName, record.ErrorType);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Equal("openai", record.Provider);
        Assert.Equal("chat", record.Operation);
    }

    [Fact]
    public async Task Stream_HttpClientTimeoutMidStream_AppSeesSameTimeoutAndOneRecordWithErrorType()
    {
        await using var stub = await ProviderStub.StartAsync();
        await using var host = TrackedHost.Create(stub);

        using var untracked = host.CreateUntrackedClient();
        var expected = await TimeOutMidStreamAsync(stub, untracked);
        Assert.Empty(host.Sink.Records);

        using var tracked = host.CreateClient();
        var actual = await TimeOutMidStreamAsync(stub, tracked);

        // HttpClient turns its own timeout into a TaskCanceledException over a TimeoutException: unchanged by the SDK.
        Assert.IsType<TaskCanceledException>(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.InnerException?.GetType(), actual.InnerException?.GetType());
        Assert.IsType<TimeoutException>(actual.InnerException);

        var record = await host.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Equal(200, record.StatusCode);
        Assert.NotNull(record.ErrorType);
        Assert.Equal("gpt-4o", record.RequestModel);
        Assert.Equal("gpt-3.5-turbo-0125", record.Model);
    }

    [Theory]
    [InlineData("openai-chat-cached.json", "openai", "https://llm-gateway.internal/openai/v1/chat/completions")]
    [InlineData("anthropic-messages-cache.json", "anthropic", "https://llm-gateway.internal/anthropic/v1/messages")]
    public async Task Send_ConfiguredGatewayEndpoint_TrackedAsMappedProvider(string payload, string provider, string url)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json(payload));
        await using var host = TrackedHost.Create(stub, configure: o =>
        {
            o.Endpoints.Add(new LlmCostEndpoint { BaseAddress = "https://llm-gateway.internal/openai/", Provider = "openai" });
            o.Endpoints.Add(new LlmCostEndpoint { BaseAddress = "https://llm-gateway.internal/anthropic", Provider = "anthropic" });
        });
        using var client = host.CreateClient();

        using (var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent("""{"model":"m","max_tokens":16,"messages":[{"role":"user","content":"Hello"}]}""", System.Text.Encoding.UTF8, "application/json"),
        })
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(Payloads.Bytes(payload), await response.Content.ReadAsByteArrayAsync());
        }

        var record = await host.SingleRecordAsync();
        Assert.Equal(provider, record.Provider);
        Assert.Equal("chat", record.Operation);
        Assert.Equal("m", record.RequestModel);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);

        // Each provider's usage format was used: Anthropic's input excludes the cache, OpenAI's includes it.
        Assert.Equal(provider == "openai" ? 2006 : 17843, record.Usage.InputTokens);
        Assert.Equal(provider == "openai" ? 0 : 3117, record.Usage.CacheWriteInputTokens);
        Assert.Equal(provider == "openai" ? "openai/gpt-4o" : "anthropic/claude-sonnet-4-5", record.Price?.Entry);
    }

    [Fact]
    public async Task Send_ClientPinnedToProvider_UnknownHostTrackedAsThatProvider()
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("anthropic-messages.json"));
        await using var host = TrackedHost.Create(stub, configureClient: o => o.Provider = "anthropic");
        using var client = host.CreateClient();

        using (var request = new HttpRequestMessage(HttpMethod.Post, "https://proxy.example.test/v1/messages")
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-6","max_tokens":16,"messages":[]}""", System.Text.Encoding.UTF8, "application/json"),
        })
        using (var response = await client.SendAsync(request))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        var record = await host.SingleRecordAsync();
        Assert.Equal("anthropic", record.Provider);
        Assert.Equal("claude-sonnet-4-6", record.Model);
        Assert.Equal(15, record.Usage.InputTokens);
        Assert.Equal(35, record.Usage.OutputTokens);
        Assert.Equal(0.00057m, record.Cost?.Total); // 15 × $3 + 35 × $15 per 1M
    }

    [Fact]
    public async Task Send_NotAnLlmCall_PassesThroughWithoutRecord()
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat.json"));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();

        // A GET of a stored completion, and a POST to a host that is not a provider: neither is billed.
        using (var response = await client.GetAsync(new Uri("https://api.openai.com/v1/chat/completions/chatcmpl-1")))
        {
            Assert.Equal(Payloads.Bytes("openai-chat.json"), await response.Content.ReadAsByteArrayAsync());
        }

        using (var request = TrackedHost.OpenAIChatRequest())
        {
            request.RequestUri = new Uri("https://example.test/v1/chat/completions");
            using var response = await client.SendAsync(request);
            Assert.Equal(Payloads.Bytes("openai-chat.json"), await response.Content.ReadAsByteArrayAsync());
        }

        await host.Tracker.FlushAsync();
        Assert.Empty(host.Sink.Records);
        Assert.Equal(2, stub.Requests.Count);
    }

    private static async Task<Exception> TimeOutMidStreamAsync(ProviderStub stub, HttpClient client)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stub.Reply = StubReply.Sse("openai-chat-stream.sse", gate);
        client.Timeout = TimeSpan.FromMilliseconds(300);
        using var request = TrackedHost.OpenAIChatRequest("gpt-4o", stream: true);
        try
        {
            // The default completion option buffers the body: the timeout fires while the rest is held back.
            using var response = await client.SendAsync(request).WaitAsync(Timeout);
        }
        catch (TaskCanceledException ex)
        {
            gate.TrySetResult();
            return ex;
        }

        Assert.Fail("The timeout did not reach the app.");
        return null!;
    }

    /// <summary>Reads the first event of a held stream, then cancels the pending read of the next one.</summary>
    private static async Task<(Exception Exception, CancellationToken Token)> CancelMidStreamAsync(ProviderStub stub, HttpClient client)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stub.Reply = StubReply.Sse("openai-chat-stream.sse", gate);
        using var cts = new CancellationTokenSource();
        using var request = TrackedHost.OpenAIChatRequest("gpt-4o", stream: true);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        var first = await TrackedHost.ReadFirstEventAsync(stream, cts.Token).WaitAsync(Timeout);
        Assert.NotEmpty(first);

        var pending = stream.ReadAsync(new byte[1024], cts.Token).AsTask();
        await cts.CancelAsync();
        var exception = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Timeout));
        gate.TrySetResult();
        return (exception, cts.Token);
    }

    private static async Task<Exception> ResetMidBodyAsync(ProviderStub stub, HttpClient client, string payload, bool readAsStream)
    {
        // Past the first event of the stream, well before the end of either body.
        stub.Reply = payload.EndsWith(".sse", StringComparison.Ordinal)
            ? StubReply.Sse(payload, abortAfterBytes: 700)
            : StubReply.Json(payload, abortAfterBytes: 300);
        using var request = TrackedHost.OpenAIChatRequest("gpt-4o", stream: false);
        try
        {
            if (readAsStream)
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var stream = await response.Content.ReadAsStreamAsync();
                await stream.CopyToAsync(Stream.Null);
            }
            else
            {
                using var response = await client.SendAsync(request);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return ex;
        }

        Assert.Fail("The connection reset did not reach the app.");
        return null!;
    }
}
