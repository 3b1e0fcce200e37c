using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// The app's call is sacred: the first streamed event arrives while the provider still holds the rest, the bytes and
/// headers the app reads are exactly the provider's, and a long stream is read to its end with constant memory.
/// </summary>
public sealed class PassThroughTests
{
    public enum ReadMode
    {
        /// <summary>HttpCompletionOption.ResponseHeadersRead, then ReadAsByteArrayAsync.</summary>
        ByteArray,

        /// <summary>HttpCompletionOption.ResponseHeadersRead, then ReadAsStreamAsync read one byte at a time.</summary>
        OneByteReads,

        /// <summary>The default: HttpClient buffers the body (ResponseContentRead), then ReadAsByteArrayAsync.</summary>
        Buffered,
    }

    public static TheoryData<string, ReadMode> AllPayloads()
    {
        var data = new TheoryData<string, ReadMode>();
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Payloads"))
            .Select(Path.GetFileName)
            .Where(f => f!.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".sse", StringComparison.Ordinal) || f.EndsWith(".eventstream", StringComparison.Ordinal))
            .Where(f => !f!.StartsWith("litellm-", StringComparison.Ordinal)) // a price map, not a response
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var mode in Enum.GetValues<ReadMode>())
            {
                data.Add(file!, mode);
            }
        }

        return data;
    }

    [Theory]
    [InlineData("openai-chat-stream.sse")]
    [InlineData("anthropic-messages-stream.sse")]
    public async Task Stream_GateHeldAfterFirstEvent_AppReadsFirstEventBeforeTheRestIsSent(string payload)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = await ProviderStub.StartAsync(StubReply.Sse(payload, gate));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();
        var events = StubReply.SplitEvents(Payloads.Bytes(payload));

        using var request = TrackedHost.RequestFor(payload);

        // A handler that buffered the stream would never return here while the gate is closed: bounded waits fail instead.
        using var firstByteTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, firstByteTimeout.Token);
        var stream = await response.Content.ReadAsStreamAsync(firstByteTimeout.Token);
        var first = await TrackedHost.ReadFirstEventAsync(stream, firstByteTimeout.Token);

        Assert.False(gate.Task.IsCompleted);
        Assert.Equal(1, stub.EventsWritten);
        Assert.Equal(events[0], first);

        // Hold the rest back a measurable while: the record's duration runs to the end of the body.
        var held = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(100);
        gate.SetResult();
        using var rest = new MemoryStream();
        await stream.CopyToAsync(rest).WaitAsync(TimeSpan.FromSeconds(10));
        byte[] all = [.. first, .. rest.ToArray()];
        Assert.Equal(Payloads.Bytes(payload), all);
        Assert.Equal(events.Count, stub.EventsWritten);

        var heldMs = held.Elapsed.TotalMilliseconds;
        var record = await host.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        // The call's duration encloses the measured hold (Task.Delay may fire a little before 100 ms, so compare to the measurement).
        Assert.True(record.DurationMs >= heldMs, $"durationMs {record.DurationMs} < {heldMs} ms held");
    }

    public static TheoryData<string> RequestContents() => ["string", "json", "stream", "bytes"];

    [Theory]
    [MemberData(nameof(RequestContents))]
    public async Task Send_RequestBody_BytesAndFramingIdenticalToUntrackedClient(string kind)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat.json"));
        await using var host = TrackedHost.Create(stub);
        using var untracked = host.CreateUntrackedClient();
        using var tracked = host.CreateClient();

        foreach (var client in new[] { untracked, tracked })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions") { Content = RequestContent(kind) };
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
        }

        var sent = stub.Requests;
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent[0].Body, sent[1].Body);
        Assert.Equal(sent[0].ContentType, sent[1].ContentType);
        Assert.Equal(sent[0].ContentLength, sent[1].ContentLength);
        Assert.Equal(sent[0].TransferEncoding, sent[1].TransferEncoding);

        var record = await host.SingleRecordAsync();
        Assert.Equal("gpt-4.1", record.RequestModel);
    }

    [Theory]
    [InlineData("string")]
    [InlineData("bytes")]
    public async Task Send_BodyAlreadyBytes_TheAppsOwnContentIsSentAndItsModelRead(string kind)
    {
        // A body that is already bytes is read before the send: no wrapper, the transport gets the app's own object.
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat.json"));
        await using var host = TrackedHost.Create(stub);
        using var tracked = host.CreateClient();
        var content = RequestContent(kind);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions") { Content = content };

        using var response = await tracked.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Same(content, request.Content);
        Assert.Equal("gpt-4.1", (await host.SingleRecordAsync()).RequestModel);
    }

    [Theory]
    [InlineData("string", false)]
    [InlineData("stream", false)]
    [InlineData("string", true)]
    [InlineData("stream", true)]
    public async Task Send_LargeBody_ModelReadWhereverItStandsAndWhateverTheContent(string kind, bool modelFirst)
    {
        // 64 KiB of messages: more than the bounded copy holds, so the body is scanned in pieces on the way (and not past
        // its model when the model comes first); the wire bytes are the app's either way.
        var filler = string.Concat(Enumerable.Repeat("""{"role":"user","content":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},""", 1024));
        var messages = $$"""[{{filler}}{"role":"user","content":"end"}]""";
        var body = modelFirst
            ? $$"""{"model":"gpt-4.1-mini","messages":{{messages}}}"""
            : $$"""{"messages":{{messages}},"model":"gpt-4.1-mini"}""";
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat.json"));
        await using var host = TrackedHost.Create(stub);
        using var tracked = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
        {
            Content = kind == "string"
                ? new StringContent(body, Encoding.UTF8, "application/json")
                : new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body))) { Headers = { ContentType = new("application/json") } },
        };

        using var response = await tracked.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(Encoding.UTF8.GetBytes(body), stub.Requests.Single().Body);
        Assert.Equal("gpt-4.1-mini", (await host.SingleRecordAsync()).RequestModel);
    }

    private static HttpContent RequestContent(string kind)
    {
        const string Body = """{"messages":[{"role":"user","content":"The \"model\" is asked for after the messages"}],"model":"gpt-4.1","temperature":0.2}""";
        return kind switch
        {
            "string" => new StringContent(Body, Encoding.UTF8, "application/json"),
            "json" => System.Net.Http.Json.JsonContent.Create(JsonDocument.Parse(Body).RootElement),
            "stream" => new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(Body))) { Headers = { ContentType = new("application/json") } },
            _ => new ByteArrayContent(Encoding.UTF8.GetBytes(Body)) { Headers = { ContentType = new("application/json") } },
        };
    }

    [Theory]
    [MemberData(nameof(AllPayloads))]
    public async Task Read_EveryPayload_BytesAndHeadersIdenticalToUntrackedClient(string payload, ReadMode mode)
    {
        var statusCode = payload switch
        {
            "openai-error.json" => 429,
            "anthropic-error.json" => 404,
            _ => 200,
        };
        await using var stub = await ProviderStub.StartAsync(StubReply.ForPayload(payload, statusCode));
        await using var host = TrackedHost.Create(stub);
        using var untracked = host.CreateUntrackedClient();
        using var tracked = host.CreateClient();

        var (expectedBytes, expectedHeaders) = await ReadAsync(untracked, payload, mode);
        var (actualBytes, actualHeaders) = await ReadAsync(tracked, payload, mode);

        Assert.Equal(Payloads.Bytes(payload), expectedBytes);
        Assert.Equal(expectedBytes, actualBytes);
        Assert.Equal(expectedHeaders, actualHeaders);

        // And the usage was read correctly from the same bytes, whatever the read sizes.
        var record = await host.SingleRecordAsync();
        Assert.Equal(statusCode, record.StatusCode);
        Assert.Equal(payload.EndsWith(".sse", StringComparison.Ordinal) || payload.EndsWith(".eventstream", StringComparison.Ordinal) || payload.EndsWith("-array.json", StringComparison.Ordinal), record.Streaming);
        Assert.Equal(ExpectedUsage(payload), record.Usage);
    }

    [Theory]
    [InlineData("openai-chat-stream.sse", ReadMode.OneByteReads)]
    [InlineData("openai-chat-stream.sse", ReadMode.Buffered)]
    [InlineData("openai-responses-stream.sse", ReadMode.OneByteReads)]
    [InlineData("anthropic-messages-stream-wire.sse", ReadMode.OneByteReads)]
    [InlineData("anthropic-messages-stream-wire.sse", ReadMode.Buffered)]
    public async Task Read_StreamWithCrLfLineEndings_BytesIdenticalAndSameUsage(string payload, ReadMode mode)
    {
        // The event-stream grammar allows CRLF (and CR) line ends; some proxies rewrite LF to CRLF.
        var crlf = Encoding.UTF8.GetBytes(Payloads.Text(payload).Replace("\n", "\r\n", StringComparison.Ordinal));
        await using var stub = await ProviderStub.StartAsync(StubReply.SseBytes(crlf));
        await using var host = TrackedHost.Create(stub);
        using var untracked = host.CreateUntrackedClient();
        using var tracked = host.CreateClient();

        var (expectedBytes, expectedHeaders) = await ReadAsync(untracked, payload, mode);
        var (actualBytes, actualHeaders) = await ReadAsync(tracked, payload, mode);

        Assert.Equal(crlf, expectedBytes);
        Assert.Equal(expectedBytes, actualBytes);
        Assert.Equal(expectedHeaders, actualHeaders);

        var record = await host.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Equal(ExpectedUsage(payload), record.Usage);
    }

    [Fact]
    public async Task Stream_TwentyThousandChunksUsageInLast_ReadsWholeStreamAndRecordsUsage()
    {
        const int chunks = 20_000;
        await using var stub = await ProviderStub.StartAsync(StubReply.SseGenerated(() => LargeStream(chunks)));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();

        long length = 0;
        using (var request = TrackedHost.OpenAIChatRequest("gpt-4o-mini", stream: true))
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                length += n;
            }
        }

        Assert.Equal(LargeStream(chunks).Sum(e => (long)Encoding.UTF8.GetByteCount(e)), length);
        Assert.True(length > 2_000_000, $"only {length} bytes");

        var record = await host.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Null(record.ErrorType);
        Assert.Equal("gpt-4o-mini-2024-07-18", record.Model);
        Assert.Equal(
            new TokenUsage { InputTokens = 123_456, CachedInputTokens = 100_000, OutputTokens = chunks + 7, ReasoningTokens = 0, Source = UsageSource.Provider },
            record.Usage);
    }

    /// <summary>Normalized usage of each payload (Payloads/SOURCES.md).</summary>
    private static TokenUsage ExpectedUsage(string payload) => payload switch
    {
        "openai-chat.json" => Usage(19, 0, 0, 10, 0),
        "openai-chat-cached.json" => Usage(2006, 1920, 0, 300, 0),
        "openai-chat-stream.sse" => Usage(10, 0, 0, 5, 0),
        // No usage in the stream: estimated ("Hello" 1 + 3 per message + 1 role + 3 priming; "Hi, how are you?" 6 in cl100k_base).
        "openai-chat-stream-nousage.sse" => new TokenUsage { InputTokens = 8, OutputTokens = 6, Source = UsageSource.Estimated },
        "openai-responses.json" => Usage(81, 0, 0, 1035, 832),
        "openai-responses-stream.sse" => Usage(13, 0, 0, 12, 0),
        "anthropic-messages.json" => Usage(15, 0, 0, 35, 0),
        "anthropic-messages-cache.json" => Usage(3 + 3117 + 14723, 14723, 3117, 1, 0),
        "anthropic-messages-stream.sse" => Usage(25, 0, 0, 15, 0),
        "anthropic-messages-stream-wire.sse" => Usage(17, 0, 0, 37, 0),
        "anthropic-error.json" or "openai-error.json" => TokenUsage.None,

        // Azure, OpenAI beyond chat, OpenAI-compatible and Anthropic pricing-rule payloads, as read on the host this test
        // sends them to (api.openai.com or api.anthropic.com). xai-chat.json read as OpenAI's format keeps reasoning inside the
        // output; through api.x.ai its output is 763 (OpenAICompatibleTests).
        "azure-chat.json" => Usage(8, 0, 0, 5, 0),
        "azure-chat-stream.sse" => Usage(1204, 1024, 0, 26, 0),
        "azure-responses.json" => Usage(20, 0, 0, 11, 0),
        "azure-embeddings.json" or "openai-embeddings.json" => Usage(8, 0, 0, 0, 0),
        "openai-chat-flex.json" or "openai-chat-priority.json" => Usage(1200, 1024, 0, 350, 256),
        "mistral-chat.json" => Usage(16, 0, 0, 34, 0),
        "mistral-embeddings.json" => Usage(15, 0, 0, 0, 0),
        "deepseek-chat.json" => Usage(1600, 1536, 0, 10, 0),
        "deepseek-reasoner.json" => Usage(13, 0, 0, 1051, 979),
        "groq-chat.json" => Usage(13, 0, 0, 7, 0),
        "groq-chat-stream.sse" => Usage(18, 0, 0, 439, 0),
        "xai-chat.json" => Usage(37, 8, 0, 530, 233),
        "openrouter-chat.json" => Usage(64266, 7, 0, 1391, 0),
        "anthropic-websearch.json" => Usage(105 + 7345 + 7123, 7123, 7345, 6039, 0) with { WebSearchRequests = 1 },
        "anthropic-websearch-stream.sse" => Usage(10682, 0, 0, 510, 0) with { WebSearchRequests = 1 },
        "anthropic-longcontext-under.json" => Usage(200000, 50000, 0, 1000, 0),
        "anthropic-longcontext-over.json" => Usage(200001, 50000, 0, 1000, 0),

        // Usage details (UsageDetailFieldsTests).
        "anthropic-thinking-tokens.json" => Usage(13, 0, 0, 44, 33),
        "mistral-chat-cached.json" => Usage(70, 69, 0, 12, 0),
        "openrouter-chat-cache-write.json" => Usage(3214, 0, 3211, 100, 0),
        "openai-chat-cache-write.json" => Usage(4020, 0, 4012, 4, 0),
        "openai-chat-audio.json" => Usage(64, 0, 0, 200, 0) with { AudioInputTokens = 38, AudioOutputTokens = 159 },

        // Google and Bedrock payloads, sent to their own URLs (TrackedHost.RequestFor).
        "gemini-generate-content.json" => Usage(7, 0, 0, 22, 0),
        "gemini-thinking.json" => Usage(14, 0, 0, 2 + 24, 24),
        "gemini-audio-prompt.json" => Usage(19655, 0, 0, 5871 + 6115, 6115) with { AudioInputTokens = 19203 },
        "vertex-implicit-caching.json" => Usage(12013, 11243, 0, 15 + 73, 73),
        "gemini-long-context.json" => Usage(248312, 0, 0, 1204 + 1876, 1876),
        "gemini-stream-thinking.sse" => Usage(10, 0, 0, 48 + 540, 540),
        "gemini-stream-code-execution.sse" => Usage(21 + 243, 0, 0, 126 + 95, 95),
        "vertex-stream-thinking.sse" => Usage(9, 0, 0, 134 + 1067, 1067),
        "gemini-stream-array.json" => Usage(8, 0, 0, 12, 0),
        "vertex-stream-array.json" => Usage(262, 0, 0, 59, 0),
        "vertex-claude-rawpredict.json" => Usage(9, 0, 0, 24, 0),
        "bedrock-converse.json" => Usage(2, 0, 0, 10, 0),
        "bedrock-converse-cache.json" => Usage(45 + 3000 + 1200, 3000, 1200, 350, 0),
        "bedrock-invoke-anthropic.json" => Usage(12 + 4000 + 1500, 4000, 1500, 220, 0),
        "bedrock-invoke-nova.json" => TokenUsage.None, // Nova's usage comes in response headers, which this stub does not send
        "bedrock-converse-stream-live.eventstream" => Usage(12, 0, 0, 5, 0),
        "bedrock-model-stream-error.eventstream" => TokenUsage.None, // an exception frame carries no usage
        _ => throw new ArgumentException("No expected usage for " + payload, nameof(payload)),
    };

    private static TokenUsage Usage(long input, long cached, long cacheWrite, long output, long reasoning) =>
        UsageParsing.Usage(input, cached, cacheWrite, output, reasoning);

    private static async Task<(byte[] Body, string Headers)> ReadAsync(HttpClient client, string payload, ReadMode mode)
    {
        using var request = TrackedHost.RequestFor(payload);
        using var response = await client.SendAsync(
            request,
            mode == ReadMode.Buffered ? HttpCompletionOption.ResponseContentRead : HttpCompletionOption.ResponseHeadersRead);

        byte[] body;
        if (mode == ReadMode.OneByteReads)
        {
            var stream = await response.Content.ReadAsStreamAsync();
            using var copy = new MemoryStream();
            var one = new byte[1];
            while (await stream.ReadAsync(one) == 1)
            {
                copy.WriteByte(one[0]);
            }

            body = copy.ToArray();
        }
        else
        {
            body = await response.Content.ReadAsByteArrayAsync();
        }

        // Content headers as the app sees them (Content-Length read through the typed property, as apps do),
        // plus the response headers that are not per-connection.
        var headers = new StringBuilder();
        headers.Append(CultureInfo.InvariantCulture, $"status={(int)response.StatusCode}\n");
        headers.Append(CultureInfo.InvariantCulture, $"Content-Type={response.Content.Headers.ContentType}\n");
        headers.Append(CultureInfo.InvariantCulture, $"Content-Length={response.Content.Headers.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}\n");
        foreach (var (name, values) in response.Content.Headers.NonValidated.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            headers.Append(CultureInfo.InvariantCulture, $"content:{name}={string.Join(",", values)}\n");
        }

        foreach (var (name, values) in response.Headers.NonValidated.Where(h => h.Key != "Date").OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            headers.Append(CultureInfo.InvariantCulture, $"{name}={string.Join(",", values)}\n");
        }

        return (body, headers.ToString());
    }

    /// <summary>
    /// A Chat Completions stream of <paramref name="chunks"/> content chunks, usage only in the last chunk (as with
    /// <c>stream_options.include_usage</c>): 20,000 chunks is about 4 MB.
    /// </summary>
    private static IEnumerable<string> LargeStream(int chunks)
    {
        const string Head = """data: {"id":"chatcmpl-large","object":"chat.completion.chunk","created":1761564674,"model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":" token """;
        for (var i = 0; i < chunks; i++)
        {
            yield return Head + i.ToString(CultureInfo.InvariantCulture)
                + """ \"usage\": {\"prompt_tokens\": 1}"},"logprobs":null,"finish_reason":null}],"usage":null}""" + "\n\n";
        }

        yield return "data: " + $$$$"""{"id":"chatcmpl-large","object":"chat.completion.chunk","created":1761564674,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":123456,"completion_tokens":{{{{chunks + 7}}}},"total_tokens":{{{{123456 + chunks + 7}}}},"prompt_tokens_details":{"cached_tokens":100000,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}}}""" + "\n\n";
        yield return "data: [DONE]\n\n";
    }
}
