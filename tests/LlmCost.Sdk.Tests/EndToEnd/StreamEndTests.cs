using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LlmCost.Sdk.Tests.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// Issue 12, item 7: a stream that stops cleanly between two events is never priced as if complete. Every provider's real
/// stream is cut at every event boundary and ended three ways — the body ends there (EOF), the app disposes the response
/// after reading that far, the read fails there (an I/O error) — through the public handler. A record whose usage says
/// <c>provider</c> has the whole stream's usage and cost; any other record has no usage and a null cost.
/// </summary>
public sealed class StreamEndTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string EventStream = "application/vnd.amazon.eventstream";
    private const string Sse = "text/event-stream";
    private const string Json = "application/json";
    private const string Bedrock = "https://bedrock-runtime.us-east-1.amazonaws.com/model";
    private const string Gemini = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash";
    private const string Vertex = "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers";

    /// <summary>How the response stops at the cut.</summary>
    public enum Ending
    {
        /// <summary>The provider's body ends there.</summary>
        EndOfBody,

        /// <summary>The app reads that far, then disposes the response.</summary>
        AppDisposes,

        /// <summary>The next read throws an <see cref="IOException"/> (a connection reset).</summary>
        ReadFails,
    }

    public static TheoryData<string, Ending> Streams()
    {
        var data = new TheoryData<string, Ending>();
        foreach (var stream in Cases.Keys)
        {
            foreach (var ending in Enum.GetValues<Ending>())
            {
                data.Add(stream, ending);
            }
        }

        return data;
    }

    /// <summary>Each provider's real stream (Payloads/SOURCES.md): URL, content type, body and where its events end.</summary>
    private static readonly Dictionary<string, (string Url, string ContentType, Func<byte[]> Body, Func<byte[], IReadOnlyList<int>> Boundaries)> Cases = new()
    {
        ["openai-chat-stream.sse"] = ("https://api.openai.com/v1/chat/completions", Sse, () => Payloads.Bytes("openai-chat-stream.sse"), SseBoundaries),
        ["openai-responses-stream.sse"] = ("https://api.openai.com/v1/responses", Sse, () => Payloads.Bytes("openai-responses-stream.sse"), SseBoundaries),
        ["azure-chat-stream.sse"] = ("https://contoso.openai.azure.com/openai/deployments/gpt-5-2-chat/chat/completions?api-version=2025-04-01-preview", Sse, () => Payloads.Bytes("azure-chat-stream.sse"), SseBoundaries),
        ["groq-chat-stream.sse"] = ("https://api.groq.com/openai/v1/chat/completions", Sse, () => Payloads.Bytes("groq-chat-stream.sse"), SseBoundaries),
        ["anthropic-messages-stream.sse"] = ("https://api.anthropic.com/v1/messages", Sse, () => Payloads.Bytes("anthropic-messages-stream.sse"), SseBoundaries),
        ["anthropic-messages-stream-wire.sse"] = ("https://api.anthropic.com/v1/messages", Sse, () => Payloads.Bytes("anthropic-messages-stream-wire.sse"), SseBoundaries),
        ["anthropic-websearch-stream.sse"] = ("https://api.anthropic.com/v1/messages", Sse, () => Payloads.Bytes("anthropic-websearch-stream.sse"), SseBoundaries),
        ["vertex-claude-stream (anthropic-messages-stream.sse)"] = (Vertex + "/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict", Sse, () => Payloads.Bytes("anthropic-messages-stream.sse"), SseBoundaries),
        ["gemini-stream-thinking.sse"] = (Gemini + ":streamGenerateContent?alt=sse", Sse, () => Payloads.Bytes("gemini-stream-thinking.sse"), SseBoundaries),
        ["gemini-stream-code-execution.sse"] = (Gemini + ":streamGenerateContent?alt=sse", Sse, () => Payloads.Bytes("gemini-stream-code-execution.sse"), SseBoundaries),
        ["vertex-stream-thinking.sse"] = (Vertex + "/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse", Sse, () => Payloads.Bytes("vertex-stream-thinking.sse"), SseBoundaries),
        ["gemini-stream-array.json"] = (Gemini + ":streamGenerateContent", Json, () => Payloads.Bytes("gemini-stream-array.json"), ArrayBoundaries),
        ["vertex-stream-array.json"] = (Vertex + "/google/models/gemini-2.5-flash:streamGenerateContent", Json, () => Payloads.Bytes("vertex-stream-array.json"), ArrayBoundaries),
        ["bedrock-converse-stream-live.eventstream"] = (Bedrock + "/eu.anthropic.claude-sonnet-4-6/converse-stream", EventStream, () => Payloads.Bytes("bedrock-converse-stream-live.eventstream"), MessageBoundaries),
        ["bedrock-converse-stream-cache.events"] = (Bedrock + "/us.anthropic.claude-sonnet-4-5-20250929-v1:0/converse-stream", EventStream, BedrockConverseUsageMappingTests.ConverseStreamCacheBody, MessageBoundaries),
        ["bedrock-invoke-stream-anthropic.chunks"] = (Bedrock + "/global.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream", EventStream, BedrockInvokeUsageMappingTests.InvokeStreamBody, MessageBoundaries),
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public async Task StreamStoppedAtEveryEventBoundary_ProviderUsageOnlyWhenTheFinalReportWasRead(string stream, Ending ending)
    {
        var (url, contentType, bodyOf, boundariesOf) = Cases[stream];
        var body = bodyOf();
        await using var host = new Host();

        // The whole stream: the provider's usage and a cost, as before.
        var (whole, received, _) = await host.CallAsync(url, contentType, body, body.Length, Ending.EndOfBody);
        Assert.Equal(body, received);
        Assert.Equal(UsageSource.Provider, whole.Usage.Source);
        Assert.True(whole.Usage.InputTokens > 0 && whole.Usage.OutputTokens > 0, whole.ToJson());

        var priced = 0;
        var flagged = 0;
        foreach (var cut in boundariesOf(body).Where(b => b < body.Length))
        {
            var (record, read, error) = await host.CallAsync(url, contentType, body, cut, ending);

            // The app's view is untouched: the bytes up to the cut, then the end, the dispose or the same I/O error.
            Assert.Equal(body[..cut], read);
            Assert.Equal(ending == Ending.ReadFails, error is IOException);
            if (record.Usage.Source == UsageSource.Provider)
            {
                // Priced only with the final report read: the whole stream's usage and cost, to the cent.
                Assert.True(whole.Usage == record.Usage, $"cut at {cut}: {record.ToJson()}");
                Assert.Equal(whole.Cost, record.Cost);
                priced++;
            }
            else
            {
                Assert.True(record.Usage == TokenUsage.None, $"cut at {cut}: {record.ToJson()}");
                Assert.Null(record.Cost);
                flagged++;
            }
        }

        output.WriteLine($"{stream}, {ending}: {priced + flagged} cuts; priced (whole usage) {priced}, flagged {flagged}");
        Assert.True(flagged > 0, "every stream has a boundary before its final usage report");
        Assert.Equal(0, host.Tracker.Statistics.InternalErrors);
        if (stream.StartsWith("openai-chat", StringComparison.Ordinal) || stream.StartsWith("groq", StringComparison.Ordinal))
        {
            // The final report is not the last event ([DONE] follows it): a stop after it keeps the price.
            Assert.True(priced > 0, $"{stream}: {priced} priced, {flagged} flagged");
        }
    }

    [Theory]
    [InlineData(Ending.EndOfBody, 1, 0, null)]
    [InlineData(Ending.AppDisposes, 0, 1, null)]
    [InlineData(Ending.ReadFails, 0, 1, "System.IO.IOException")]
    public async Task AnthropicStreamStoppedAfterMessageStart_NoUsageNullCostAndCountedByWhoStoppedIt(Ending ending, long malformed, long partial, string? errorType)
    {
        var body = Payloads.Bytes("anthropic-messages-stream.sse");
        var messageStart = StubReply.SplitEvents(body)[0].Length;
        await using var host = new Host();

        var (record, _, _) = await host.CallAsync("https://api.anthropic.com/v1/messages", Sse, body, messageStart, ending);

        // message_start said 25 input and 1 output token (a placeholder): not the call's usage, so not priced.
        Assert.Equal("claude-sonnet-4-5-20250929", record.Model);
        Assert.Equal(TokenUsage.None, record.Usage);
        Assert.Equal("none", System.Text.Json.JsonDocument.Parse(record.ToJson()).RootElement.GetProperty("usage").GetProperty("source").GetString());
        Assert.Null(record.Cost);
        Assert.Equal(errorType, record.ErrorType);

        // A body that ends before its final report is the provider's (or a proxy's) fault: malformed. An app that stops
        // reading, or a failed read, is not: PartialUsage.
        var statistics = host.Tracker.Statistics;
        Assert.Equal(malformed, statistics.MalformedResponses);
        Assert.Equal(partial, statistics.PartialUsage);
    }

    [Fact]
    public async Task ChatStreamDisposedAfterTheUsageChunkBeforeDone_KeepsTheProviderUsage()
    {
        // The OpenAI SDKs stop at [DONE]; an app may stop right after the usage chunk: that usage is final.
        var body = Payloads.Bytes("openai-chat-stream.sse");
        var events = StubReply.SplitEvents(body);
        var beforeDone = body.Length - events[^1].Length;
        await using var host = new Host();

        var (record, _, _) = await host.CallAsync("https://api.openai.com/v1/chat/completions", Sse, body, beforeDone, Ending.AppDisposes);

        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(10, record.Usage.InputTokens);
        Assert.Equal(5, record.Usage.OutputTokens);
        Assert.NotNull(record.Cost);
        Assert.Equal(0, host.Tracker.Statistics.PartialUsage);
    }

    [Theory]
    [InlineData("anthropic-messages-stream.sse")]
    [InlineData("anthropic-websearch-stream.sse")]
    public async Task AnthropicStreamReadToMessageStopThenDisposed_KeepsTheProviderUsage(string payload)
    {
        // An SDK that stops at message_stop (without the final zero-byte read) still gets the stream priced.
        var body = Payloads.Bytes(payload);
        await using var host = new Host();
        var (whole, _, _) = await host.CallAsync("https://api.anthropic.com/v1/messages", Sse, body, body.Length, Ending.EndOfBody);

        var (record, read, _) = await host.CallAsync("https://api.anthropic.com/v1/messages", Sse, body, body.Length, Ending.AppDisposes);

        Assert.Equal(body, read);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(whole.Usage, record.Usage);
        Assert.Equal(whole.Cost, record.Cost);
        Assert.NotNull(record.Cost);
        Assert.Equal(0, host.Tracker.Statistics.PartialUsage);
    }

    [Fact]
    public async Task AnthropicStreamCutAfterMessageDeltaBeforeMessageStop_IsFlagged()
    {
        // message_delta's usage is cumulative but may come again (server tools can send several): only message_stop ends it.
        var body = Payloads.Bytes("anthropic-messages-stream.sse");
        var events = StubReply.SplitEvents(body);
        await using var host = new Host();

        var (record, _, _) = await host.CallAsync("https://api.anthropic.com/v1/messages", Sse, body, body.Length - events[^1].Length, Ending.EndOfBody);

        Assert.Equal(TokenUsage.None, record.Usage);
        Assert.Null(record.Cost);
    }

    [Fact]
    public async Task GeminiStreamWithoutItsFinishChunk_RunningTotalsAreNotPriced()
    {
        // Every Gemini chunk carries the usage so far: without the chunk with finishReason, the totals are not the call's.
        var body = Payloads.Bytes("gemini-stream-thinking.sse");
        var events = StubReply.SplitEvents(body);
        var beforeLast = body.Length - events[^1].Length;
        await using var host = new Host();

        var (record, _, _) = await host.CallAsync(Gemini + ":streamGenerateContent?alt=sse", Sse, body, beforeLast, Ending.EndOfBody);

        Assert.Equal(TokenUsage.None, record.Usage);
        Assert.Null(record.Cost);
        Assert.Equal(1, host.Tracker.Statistics.MalformedResponses);
    }

    [Fact]
    public async Task GeminiStreamOfABlockedPrompt_TheBlockReasonChunkIsFinal()
    {
        // A refused prompt: one chunk, no candidates, a promptFeedback.blockReason and the prompt's count.
        var body = Encoding.UTF8.GetBytes(
            "data: {\"promptFeedback\": {\"blockReason\": \"SAFETY\"},\"usageMetadata\": {\"promptTokenCount\": 8,\"totalTokenCount\": 8},\"modelVersion\": \"gemini-2.5-flash\"}\r\n\r\n");
        await using var host = new Host();

        var (record, _, _) = await host.CallAsync(Gemini + ":streamGenerateContent?alt=sse", Sse, body, body.Length, Ending.EndOfBody);

        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(8, record.Usage.InputTokens);
        Assert.Equal(0, record.Usage.OutputTokens);
        Assert.NotNull(record.Cost);
        Assert.Equal(0, host.Tracker.Statistics.MalformedResponses);
    }

    [Fact]
    public async Task AnthropicMessageLabelledEventStream_IsOneDocumentAndPriced()
    {
        // A non-streamed Messages body under a text/event-stream label has no message_stop: as one JSON document it is whole.
        var body = Payloads.Bytes("anthropic-messages.json");
        await using var host = new Host();

        var (record, read, _) = await host.CallAsync("https://api.anthropic.com/v1/messages", Sse, body, body.Length, Ending.EndOfBody);

        Assert.Equal(body, read);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(15, record.Usage.InputTokens);
        Assert.Equal(35, record.Usage.OutputTokens);
        Assert.NotNull(record.Cost);
    }

    [Fact]
    public async Task JsonBodyDisposedAfterItsUsageBeforeTheDocumentEnded_IsNotPriced()
    {
        // A document disposed half-read: the counts read so far may be missing fields, so they are not the provider's report.
        var body = Encoding.UTF8.GetBytes("""{"id":"chatcmpl-1","model":"gpt-4o-2024-08-06","usage":{"prompt_tokens":100,"completion_tokens":50},"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"}}]}""");
        var cut = Encoding.UTF8.GetByteCount("""{"id":"chatcmpl-1","model":"gpt-4o-2024-08-06","usage":{"prompt_tokens":100,"completion_tokens":50},""");
        await using var host = new Host();

        var (halfRead, _, _) = await host.CallAsync("https://api.openai.com/v1/chat/completions", Json, body, cut, Ending.AppDisposes);
        var (wholeDocument, _, _) = await host.CallAsync("https://api.openai.com/v1/chat/completions", Json, body, body.Length, Ending.AppDisposes);

        Assert.Equal(TokenUsage.None, halfRead.Usage);
        Assert.Null(halfRead.Cost);
        Assert.Equal(1, host.Tracker.Statistics.PartialUsage);

        // The whole document read, then disposed without the final zero-byte read: its usage is whole.
        Assert.Equal(UsageSource.Provider, wholeDocument.Usage.Source);
        Assert.Equal(100, wholeDocument.Usage.InputTokens);
        Assert.NotNull(wholeDocument.Cost);
    }

    /// <summary>The ends of the SSE events (after each blank line).</summary>
    private static IReadOnlyList<int> SseBoundaries(byte[] body)
    {
        var ends = new List<int>();
        var at = 0;
        foreach (var e in StubReply.SplitEvents(body))
        {
            at += e.Length;
            ends.Add(at);
        }

        return ends;
    }

    /// <summary>The ends of a JSON-array stream's elements (after each top-level element's closing brace), and the start.</summary>
    private static IReadOnlyList<int> ArrayBoundaries(byte[] body)
    {
        var ends = new List<int> { 1 };
        var depth = 0;
        var inString = false;
        for (var i = 0; i < body.Length; i++)
        {
            var b = body[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"': inString = true; break;
                case (byte)'{' or (byte)'[': depth++; break;
                case (byte)'}' or (byte)']':
                    depth--;
                    if (depth == 1)
                    {
                        ends.Add(i + 1);
                    }

                    break;
            }
        }

        return ends;
    }

    /// <summary>The ends of the AWS event-stream messages.</summary>
    private static IReadOnlyList<int> MessageBoundaries(byte[] body)
    {
        var ends = new List<int>();
        var at = 0;
        foreach (var message in AwsEventStream.Split(body))
        {
            at += message.Length;
            ends.Add(at);
        }

        return ends;
    }

    /// <summary>Cost tracking with an in-memory sink (estimation off) over a provider answering each call as the test says.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly ServiceProvider _services;
        private readonly FakeProviderHandler _provider = new([]);

        public Host()
        {
            var services = new ServiceCollection();
            services.AddLlmCostTracking(o =>
            {
                o.Environment = "test";
                o.EstimateMissingUsage = false;
                o.Pipeline.BatchDelay = TimeSpan.Zero;
            }).AddInMemorySink();
            services.AddHttpClient("llm").AddLlmCostTracking().ConfigurePrimaryHttpMessageHandler(() => _provider);
            _services = services.BuildServiceProvider();
        }

        public ILlmCostTracker Tracker => _services.GetRequiredService<ILlmCostTracker>();

        /// <summary>One call whose response stops at <paramref name="cut"/> as <paramref name="ending"/> says; returns its one record.</summary>
        public async Task<(CostRecord Record, byte[] Read, Exception? Error)> CallAsync(string url, string contentType, byte[] body, int cut, Ending ending)
        {
            var sent = ending == Ending.AppDisposes ? body : body[..cut];
            _provider.Respond = _ =>
            {
                var content = new StreamContent(new CutStream(sent, failAtEnd: ending == Ending.ReadFails));
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
            };

            var sink = _services.GetRequiredService<InMemoryCostSink>();
            sink.Clear();
            using var client = _services.GetRequiredService<IHttpClientFactory>().CreateClient("llm");
            using var read = new MemoryStream();
            Exception? error = null;
            using (var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("""{"model":"m","stream":true}""", Encoding.UTF8, Json) })
            using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
            {
                var stream = await response.Content.ReadAsStreamAsync();
                var buffer = new byte[64];
                try
                {
                    // Reads what arrives, never past the cut (the app that disposes stops exactly there).
                    int n;
                    while (read.Length < cut && (n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, cut - read.Length)))) > 0)
                    {
                        read.Write(buffer, 0, n);
                    }

                    if (ending != Ending.AppDisposes)
                    {
                        // The end of the body (a zero-byte read) or the failure comes with the next read.
                        _ = await stream.ReadAsync(buffer);
                    }
                }
                catch (IOException ex)
                {
                    error = ex;
                }
            }

            await Tracker.FlushAsync();
            return (Assert.Single(sink.Records), read.ToArray(), error);
        }

        public ValueTask DisposeAsync() => _services.DisposeAsync();
    }

    /// <summary>A body that ends at its last byte, or fails there with an <see cref="IOException"/> as a reset connection does.</summary>
    private sealed class CutStream(byte[] data, bool failAtEnd) : MemoryStream(data, writable: false)
    {
        public override int Read(Span<byte> buffer) => Check(base.Read(buffer), buffer.Length);

        public override int Read(byte[] buffer, int offset, int count) => Check(base.Read(buffer, offset, count), count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Check(await base.ReadAsync(buffer, cancellationToken), buffer.Length);

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Check(await base.ReadAsync(buffer.AsMemory(offset, count), cancellationToken), count);

        private int Check(int read, int requested) =>
            read == 0 && requested > 0 && failAtEnd ? throw new IOException("The connection was reset (test).") : read;
    }
}
