using System.Text;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// Anthropic's pricing rules on real Messages payloads, through the tracking handler: web searches billed per request,
/// 5-minute and 1-hour cache writes at their own rates, the long-context premium of Claude Sonnet 4 / 4.5 (the whole call
/// at $6 / $22.50 once input with cache reads and writes exceeds 200K tokens) and Message Batches at 50%.
/// Rates: platform.claude.com/docs/en/about-claude/pricing.
/// </summary>
public sealed class AnthropicPricingRulesTests
{
    private const string MessagesUrl = "https://api.anthropic.com/v1/messages";

    /// <summary>The "Tracking cache performance" example of the prompt-caching docs: 148 tokens written for 5 minutes, 100 for 1 hour.</summary>
    private const string OneHourCacheResponse = """
        {"id":"msg_01EfYx9eWzM8T2RhXzb7wTk4","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Based on the document, the main risks are..."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2048,"cache_read_input_tokens":1800,"cache_creation_input_tokens":248,"output_tokens":503,"cache_creation":{"ephemeral_1h_input_tokens":100,"ephemeral_5m_input_tokens":148}}}
        """;

    /// <summary>The message of a succeeded Message Batches result line (batch docs), as the API reports it today with its tier.</summary>
    private const string BatchResultMessage = """
        {"id":"msg_014VwiXbi91y3JMjcpyGBHX5","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hello again! It's nice to see you. How can I assist you today? Is there anything specific you'd like to chat about or any questions you have?"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":36,"service_tier":"batch"}}
        """;

    private static string Request(string model, bool stream = false) =>
        $$"""{"model":"{{model}}","max_tokens":1024,"messages":[{"role":"user","content":"Hello"}]{{(stream ? ""","stream":true""" : "")}}}""";

    [Fact]
    public async Task WebSearch_Stream_SearchesPricedPerThousandInRequests()
    {
        // Streaming docs, "web search tool use" example: message_delta's cumulative usage carries server_tool_use.
        var record = await ProviderCall.SendAsync(MessagesUrl, Request("claude-sonnet-4-5", stream: true), "anthropic-websearch-stream.sse");

        Assert.Equal(LlmProviders.Anthropic, record.Provider);
        Assert.True(record.Streaming);
        Assert.Equal("claude-sonnet-4-5-20250929", record.Model);
        ProviderCall.AssertUsage(record, input: 10682, cached: 0, cacheWrite: 0, output: 510, reasoning: 0, webSearches: 1);

        // $3 input, $15 output per 1M; $10 per 1,000 searches.
        ProviderCall.AssertCost(record, "anthropic/claude-sonnet-4-5", input: 0.032046m, cachedInput: 0m, cacheWrite: 0m, output: 0.00765m, total: 0.049696m, requests: 0.01m);
        var json = record.ToJson();
        Assert.Contains("\"webSearchRequests\":1", json, StringComparison.Ordinal);
        Assert.Contains("\"output\":0.00765,\"requests\":0.01,\"total\":0.049696", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebSearch_Message_SearchesAndCacheTokensEachAtTheirRate()
    {
        // The web-search usage example of the pricing page: 105 uncached, 7123 cache reads, 7345 cache writes, 6039 output, 1 search.
        var record = await ProviderCall.SendAsync(MessagesUrl, Request("claude-sonnet-4-5"), "anthropic-websearch.json");

        ProviderCall.AssertUsage(record, input: 14573, cached: 7123, cacheWrite: 7345, output: 6039, reasoning: 0, webSearches: 1);
        ProviderCall.AssertCost(record, "anthropic/claude-sonnet-4-5", input: 0.000315m, cachedInput: 0.0021369m, cacheWrite: 0.02754375m, output: 0.090585m, total: 0.13058065m, requests: 0.01m);
    }

    [Fact]
    public async Task CacheWrites_FiveMinuteAndOneHour_EachAtItsOwnRate()
    {
        var body = Encoding.UTF8.GetBytes(OneHourCacheResponse);
        var reply = new StubReply { ContentType = "application/json", ContentLength = body.Length }.WithBody(body);

        var record = await ProviderCall.SendAsync(MessagesUrl, Request("claude-sonnet-4-5"), reply, body);

        ProviderCall.AssertUsage(record, input: 4096, cached: 1800, cacheWrite: 248, output: 503, reasoning: 0, cacheWrite1h: 100);

        // 148 × $3.75 (5 min) + 100 × $6 (1 h) per 1M = 0.001155.
        ProviderCall.AssertCost(record, "anthropic/claude-sonnet-4-5", input: 0.006144m, cachedInput: 0.00054m, cacheWrite: 0.001155m, output: 0.007545m, total: 0.015384m);
        Assert.Contains("\"cacheWrite1hInputTokens\":100", record.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-20250514", "anthropic/claude-sonnet-4")]
    public async Task LongContext_JustUnder200K_BaseRates(string model, string entry)
    {
        // 150,000 uncached + 50,000 cache reads = 200,000: not over the threshold.
        var record = await SendLongContextAsync("anthropic-longcontext-under.json", model);

        ProviderCall.AssertUsage(record, input: 200000, cached: 50000, cacheWrite: 0, output: 1000, reasoning: 0);
        ProviderCall.AssertCost(record, entry, input: 0.45m, cachedInput: 0.015m, cacheWrite: 0m, output: 0.015m, total: 0.48m);
    }

    [Theory]
    [InlineData("claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5")]
    [InlineData("claude-sonnet-4-20250514", "anthropic/claude-sonnet-4")]
    public async Task LongContext_JustOver200K_WholeCallAtLongContextRates(string model, string entry)
    {
        // 150,001 + 50,000 cache reads = 200,001: every token at $6 input, $0.60 cache read, $22.50 output per 1M.
        var record = await SendLongContextAsync("anthropic-longcontext-over.json", model);

        ProviderCall.AssertUsage(record, input: 200001, cached: 50000, cacheWrite: 0, output: 1000, reasoning: 0);
        ProviderCall.AssertCost(record, entry, input: 0.900006m, cachedInput: 0.03m, cacheWrite: 0m, output: 0.0225m, total: 0.952506m);
    }

    [Fact]
    public void BatchResult_ServiceTierBatch_PricedAtHalf()
    {
        // Message Batches results are fetched with GET (never tracked, so never counted twice); their messages carry
        // usage.service_tier "batch", which prices them at 50%: $1.50 input, $7.50 output per 1M on Sonnet 4.5.
        var (usage, malformed) = UsageParsing.Read(AnthropicUsageMapping.Instance, Encoding.UTF8.GetBytes(BatchResultMessage), sse: false, chunkSize: 3);
        Assert.False(malformed);
        Assert.Equal("batch", usage.ServiceTier);

        var resolver = new PriceResolver(PriceTable.Default);
        Assert.True(resolver.TryPrice(LlmProviders.Anthropic, usage.Model, null, usage.ToUsage(), new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero), usage.ServiceTier, null, out var cost, out var price));

        Assert.Equal(UsageParsing.Usage(11, 0, 0, 36, 0), usage.ToUsage());
        Assert.Equal("anthropic/claude-sonnet-4-5", price!.Entry);
        Assert.Equal(0.0000165m, cost!.Input);
        Assert.Equal(0.00027m, cost.Output);
        Assert.Equal(0.0002865m, cost.Total);
    }

    [Fact]
    public void WebSearch_InMessageStartUsage_IsRead()
    {
        // A streamed message_start whose message.usage already counts server tool use (the shape of message.usage in the Messages API).
        var stream = Encoding.UTF8.GetBytes(
            "event: message_start\n" +
            """data: {"type":"message_start","message":{"id":"msg_a","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"output_tokens":50,"cache_read_input_tokens":10,"cache_creation_input_tokens":20,"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":20,"ephemeral_5m_input_tokens":0},"server_tool_use":{"web_search_requests":2,"web_fetch_requests":0}}}}""" +
            "\n\n");

        foreach (var chunk in new[] { 1, 5, stream.Length })
        {
            var (usage, malformed) = UsageParsing.Read(AnthropicUsageMapping.Instance, stream, sse: true, chunkSize: chunk);

            Assert.False(malformed);
            Assert.Equal(
                new TokenUsage { InputTokens = 130, CachedInputTokens = 10, CacheWriteInputTokens = 20, CacheWrite1hInputTokens = 20, OutputTokens = 50, WebSearchRequests = 2, Source = UsageSource.Provider },
                usage.ToUsage());
        }
    }

    private static Task<CostRecord> SendLongContextAsync(string payload, string model)
    {
        var body = Encoding.UTF8.GetBytes(Payloads.Text(payload).Replace("claude-sonnet-4-5-20250929", model, StringComparison.Ordinal));
        var reply = new StubReply { ContentType = "application/json", ContentLength = body.Length }.WithBody(body);
        return ProviderCall.SendAsync(MessagesUrl, Request(model), reply, body);
    }
}
