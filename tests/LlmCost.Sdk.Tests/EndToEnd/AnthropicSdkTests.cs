using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// The official Anthropic .NET SDK, on an HttpClient from IHttpClientFactory with the cost handler, against a local
/// server that replays real Anthropic payloads: every field of the record is checked, and the cost to the last digit.
/// </summary>
/// <remarks>
/// Anthropic's <c>input_tokens</c> excludes cache reads and writes: the normalized input adds them back. Streamed
/// <c>output_tokens</c> are cumulative, and a <c>message_delta</c> may repeat the input counts: nothing is summed twice.
/// </remarks>
public sealed class AnthropicSdkTests
{
    private const string TableVersion = "2026.11.6";

    private static readonly LlmCostTags ExpectedTags = TrackedHost.ExpectedSdkCallTags;

    [Theory]
    [InlineData("anthropic-messages.json", false)]
    [InlineData("anthropic-messages-cache.json", false)]
    [InlineData("anthropic-messages-stream.sse", true)]
    [InlineData("anthropic-messages-stream-wire.sse", true)]
    public async Task CreateMessage_ProviderPayload_RecordsEveryFieldAndExactCost(string payload, bool streaming)
    {
        var expected = Expected(payload);
        await using var stub = await ProviderStub.StartAsync(StubReply.ForPayload(payload));
        await using var host = TrackedHost.Create(stub);
        using var http = host.CreateClient();
        using var client = new AnthropicClient(new ClientOptions { HttpClient = http, ApiKey = "sk-ant-test", MaxRetries = 0 });
        var parameters = new MessageCreateParams
        {
            Model = expected.RequestModel,
            MaxTokens = 1024,
            Messages = [new UserMessageParam("Hello")],
        };

        var before = DateTimeOffset.UtcNow;
        var text = new StringBuilder();
        string? appModel = null;
        long? appInput = null;
        long? appOutput = null;
        using (LlmCostScope.Begin(feature: "ticket-triage", customer: "acme", tags: [new("experiment", "b")]))
        {
            if (streaming)
            {
                await foreach (var streamEvent in client.Messages.CreateStreaming(parameters))
                {
                    if (streamEvent.TryPickStart(out var start))
                    {
                        appModel = start.Message.Model.Raw();
                        appInput = start.Message.Usage.InputTokens;
                    }
                    else if (streamEvent.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var textDelta))
                    {
                        text.Append(textDelta.Text);
                    }
                    else if (streamEvent.TryPickDelta(out var messageDelta))
                    {
                        appOutput = messageDelta.Usage.OutputTokens;
                    }
                }
            }
            else
            {
                var message = await client.Messages.Create(parameters);
                appModel = message.Model.Raw();
                appInput = message.Usage.InputTokens;
                appOutput = message.Usage.OutputTokens;
                foreach (var block in message.Content)
                {
                    if (block.TryPickText(out var textBlock))
                    {
                        text.Append(textBlock.Text);
                    }
                }
            }
        }

        var after = DateTimeOffset.UtcNow;

        // The app got the provider's answer, untouched.
        Assert.Equal(expected.Text, text.ToString());
        Assert.Equal(expected.Model, appModel);

        // The SDK sent what the record says it asked for.
        var sent = Assert.Single(stub.Requests);
        Assert.Equal("/v1/messages", sent.PathAndQuery);
        using var sentJson = JsonDocument.Parse(sent.Body);
        Assert.Equal(expected.RequestModel, sentJson.RootElement.GetProperty("model").GetString());

        var record = await host.SingleRecordAsync();
        Assert.NotEqual(Guid.Empty, record.Id);
        Assert.InRange(record.Timestamp, before, after);
        Assert.InRange(record.DurationMs, 0, (after - before).TotalMilliseconds + 1);
        Assert.Equal("anthropic", record.Provider);
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
        Assert.Equal(record.Cost!.Total, record.Cost.Input + record.Cost.CachedInput + record.Cost.CacheWrite + record.Cost.Output);

        // The record agrees with what the Anthropic SDK itself parsed (its input_tokens leaves the cache out).
        Assert.Equal(appInput + record.Usage.CachedInputTokens + record.Usage.CacheWriteInputTokens, record.Usage.InputTokens);
        Assert.Equal(appOutput, record.Usage.OutputTokens);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CreateMessage_OneHourCacheWrites_PricedAtOneHourWriteRate(bool streaming)
    {
        // anthropic-messages-cache.json (and the wire stream) with the 3117 cache-write tokens split between the two
        // cache lifetimes: 1000 five-minute writes and 2117 one-hour writes (usage.cache_creation.ephemeral_*_input_tokens).
        // Anthropic bills one-hour writes at 2× the base input rate, five-minute writes at 1.25×.
        byte[] body;
        if (streaming)
        {
            body = Encoding.UTF8.GetBytes(Payloads.Text("anthropic-messages-stream-wire.sse")
                .Replace("\"model\":\"claude-sonnet-4-6\"", "\"model\":\"claude-sonnet-4-5-20250929\"", StringComparison.Ordinal)
                .Replace("\"input_tokens\":17,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0", "\"input_tokens\":3,\"cache_creation_input_tokens\":3117,\"cache_read_input_tokens\":14723", StringComparison.Ordinal)
                .Replace("\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0", "\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2117", StringComparison.Ordinal)
                .Replace("\"output_tokens\":37", "\"output_tokens\":1", StringComparison.Ordinal));
        }
        else
        {
            body = Encoding.UTF8.GetBytes(Payloads.Text("anthropic-messages-cache.json")
                .Replace("\"ephemeral_5m_input_tokens\": 3117", "\"ephemeral_5m_input_tokens\": 1000", StringComparison.Ordinal)
                .Replace("\"ephemeral_1h_input_tokens\": 0", "\"ephemeral_1h_input_tokens\": 2117", StringComparison.Ordinal));
        }

        Assert.Contains("\"ephemeral_1h_input_tokens\"" + (streaming ? ":" : ": ") + "2117", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        var reply = streaming
            ? StubReply.SseBytes(body)
            : new StubReply { ContentType = "application/json", ContentLength = body.Length, FlushEachPart = true }.WithBody(body);
        await using var stub = await ProviderStub.StartAsync(reply);
        await using var host = TrackedHost.Create(stub);
        using var http = host.CreateClient();
        using var client = new AnthropicClient(new ClientOptions { HttpClient = http, ApiKey = "sk-ant-test", MaxRetries = 0 });
        var parameters = new MessageCreateParams { Model = "claude-sonnet-4-5", MaxTokens = 1024, Messages = [new UserMessageParam("Hello")] };

        if (streaming)
        {
            await foreach (var streamEvent in client.Messages.CreateStreaming(parameters))
            {
                _ = streamEvent;
            }
        }
        else
        {
            var message = await client.Messages.Create(parameters);
            Assert.Equal(2117, message.Usage.CacheCreation!.Ephemeral1hInputTokens);
        }

        var record = await host.SingleRecordAsync();
        Assert.Equal(new TokenUsage { InputTokens = 17843, CachedInputTokens = 14723, CacheWriteInputTokens = 3117, CacheWrite1hInputTokens = 2117, OutputTokens = 1, Source = UsageSource.Provider }, record.Usage);
        Assert.Equal("anthropic/claude-sonnet-4-5", record.Price!.Entry);

        // claude-sonnet-4-5: $3.00 input / $0.30 cache read / $3.75 5-minute write / $6.00 1-hour write / $15.00 output per 1M.
        // input              3 × 3.00 / 1M = 0.000009
        // cache read     14723 × 0.30 / 1M = 0.0044169
        // cache write    1000 × 3.75 / 1M  = 0.00375
        //              + 2117 × 6.00 / 1M  = 0.012702
        //                                  = 0.016452
        // output             1 × 15.00 / 1M = 0.000015
        // total                             = 0.0208929
        // (Pricing all 3117 writes at the 5-minute rate would give 0.01168875 and a total of 0.01612965: 22.8% short.)
        Assert.Equal(
            new CostBreakdown { Input = 0.000009m, CachedInput = 0.0044169m, CacheWrite = 0.016452m, Output = 0.000015m, Total = 0.0208929m },
            record.Cost);
    }

    /// <summary>What each payload must produce: usage from Payloads/SOURCES.md, cost worked out by hand from the published prices.</summary>
    private static Expectation Expected(string payload) => payload switch
    {
        // claude-sonnet-4-6: $3.00 input / $0.30 cache read / $3.75 5-minute cache write / $15.00 output per 1M tokens.
        // 15 input (no cache), 35 output.
        // input  15 × 3.00 / 1M  = 0.000045
        // output 35 × 15.00 / 1M = 0.000525
        // total                  = 0.00057
        "anthropic-messages.json" => new(
            "claude-sonnet-4-6", "claude-sonnet-4-6",
            "Quantum computing uses quantum mechanical phenomena like superposition and entanglement to process information in ways that can solve certain complex problems exponentially faster than classical computers.",
            new TokenUsage { InputTokens = 15, OutputTokens = 35 },
            new CostBreakdown { Input = 0.000045m, CachedInput = 0m, CacheWrite = 0m, Output = 0.000525m, Total = 0.00057m },
            "anthropic/claude-sonnet-4-6", new DateOnly(2026, 3, 13)),

        // claude-sonnet-4-5: $3.00 input / $0.30 cache read / $3.75 5-minute cache write / $15.00 output per 1M tokens.
        // input_tokens 3 + cache_creation 3117 (all 5-minute) + cache_read 14723 = 17843 normalized input; 1 output.
        // input           3 × 3.00 / 1M = 0.000009
        // cache read  14723 × 0.30 / 1M = 0.0044169
        // cache write  3117 × 3.75 / 1M = 0.01168875
        // output          1 × 15.00 / 1M = 0.000015
        // total                          = 0.01612965
        "anthropic-messages-cache.json" => new(
            "claude-sonnet-4-5", "claude-sonnet-4-5-20250929",
            "I'll run a comprehensive diagnostic using all the requested tools.",
            new TokenUsage { InputTokens = 17843, CachedInputTokens = 14723, CacheWriteInputTokens = 3117, OutputTokens = 1 },
            new CostBreakdown { Input = 0.000009m, CachedInput = 0.0044169m, CacheWrite = 0.01168875m, Output = 0.000015m, Total = 0.01612965m },
            "anthropic/claude-sonnet-4-5", new DateOnly(2025, 9, 29)),

        // claude-sonnet-4-5, streamed: message_start input 25; the last message_delta's cumulative output 15.
        // input  25 × 3.00 / 1M  = 0.000075
        // output 15 × 15.00 / 1M = 0.000225
        // total                  = 0.0003
        "anthropic-messages-stream.sse" => new(
            "claude-sonnet-4-5", "claude-sonnet-4-5-20250929",
            "Hello!",
            new TokenUsage { InputTokens = 25, OutputTokens = 15 },
            new CostBreakdown { Input = 0.000075m, CachedInput = 0m, CacheWrite = 0m, Output = 0.000225m, Total = 0.0003m },
            "anthropic/claude-sonnet-4-5", new DateOnly(2025, 9, 29)),

        // claude-sonnet-4-6, streamed on the wire: message_start input 17 / output 2; message_delta repeats input 17
        // and gives the cumulative output 37. Not 34 input, not 39 output.
        // input  17 × 3.00 / 1M  = 0.000051
        // output 37 × 15.00 / 1M = 0.000555
        // total                  = 0.000606
        "anthropic-messages-stream-wire.sse" => new(
            "claude-sonnet-4-6", "claude-sonnet-4-6",
            "With elegant syntax and indentation true,\nPython turns complex problems into something you can do.",
            new TokenUsage { InputTokens = 17, OutputTokens = 37 },
            new CostBreakdown { Input = 0.000051m, CachedInput = 0m, CacheWrite = 0m, Output = 0.000555m, Total = 0.000606m },
            "anthropic/claude-sonnet-4-6", new DateOnly(2026, 3, 13)),

        _ => throw new ArgumentException("No expectation for " + payload, nameof(payload)),
    };

    private sealed record Expectation(
        string RequestModel, string Model, string Text, TokenUsage Usage, CostBreakdown Cost, string Entry, DateOnly EffectiveFrom);
}
