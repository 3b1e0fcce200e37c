namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// OpenAI-compatible providers recognized by host, through the tracking handler: Mistral, DeepSeek (cache hits and
/// misses, reasoning), Groq (usage in a stream's <c>x_groq.usage</c>), xAI (reasoning billed on top of
/// <c>completion_tokens</c>) and OpenRouter (its reported cost is the record's cost). Rates asserted are the providers'
/// published prices; the table entries for mistral_ai, deepseek, groq and x_ai come with the price data.
/// </summary>
public sealed class OpenAICompatibleTests
{
    private static string Chat(string model, bool stream = false) =>
        $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hello"}]{{(stream ? ""","stream":true""" : "")}}}""";

    [Fact]
    public async Task Mistral_Chat_PricedAtMistralSmallRates()
    {
        var record = await ProviderCall.SendAsync("https://api.mistral.ai/v1/chat/completions", Chat("mistral-small-latest"), "mistral-chat.json");

        Assert.Equal(LlmProviders.MistralAI, record.Provider);
        Assert.Equal(LlmOperations.Chat, record.Operation);
        Assert.Equal("mistral-small-latest", record.Model);
        ProviderCall.AssertUsage(record, input: 16, cached: 0, cacheWrite: 0, output: 34, reasoning: 0);

        // Mistral Small: $0.10 input, $0.30 output per 1M (mistral.ai/pricing).
        ProviderCall.AssertCost(record, "mistral_ai/mistral-small*", input: 0.0000016m, cachedInput: 0m, cacheWrite: 0m, output: 0.0000102m, total: 0.0000118m);
    }

    [Fact]
    public async Task Mistral_Embeddings_PricedAtMistralEmbedRate()
    {
        var record = await ProviderCall.SendAsync("https://api.mistral.ai/v1/embeddings", """{"model":"mistral-embed","input":["Embed this sentence.","As well as this one."]}""", "mistral-embeddings.json");

        Assert.Equal(LlmProviders.MistralAI, record.Provider);
        Assert.Equal(LlmOperations.Embeddings, record.Operation);
        Assert.Equal("mistral-embed", record.Model);
        ProviderCall.AssertUsage(record, input: 15, cached: 0, cacheWrite: 0, output: 0, reasoning: 0);

        // mistral-embed: $0.10 per 1M.
        ProviderCall.AssertCost(record, "mistral_ai/mistral-embed", input: 0.0000015m, cachedInput: 0m, cacheWrite: 0m, output: 0m, total: 0.0000015m);
    }

    [Fact]
    public async Task DeepSeek_Chat_CacheHitsPricedAtTheHitRate()
    {
        var record = await ProviderCall.SendAsync("https://api.deepseek.com/chat/completions", Chat("deepseek-chat"), "deepseek-chat.json", time: FixedClock.Utc(2026, 5, 1, 12));

        Assert.Equal(LlmProviders.DeepSeek, record.Provider);
        Assert.Equal("deepseek-chat", record.Model);

        // prompt_tokens 1600 = prompt_cache_hit_tokens 1536 + prompt_cache_miss_tokens 64.
        ProviderCall.AssertUsage(record, input: 1600, cached: 1536, cacheWrite: 0, output: 10, reasoning: 0);

        // On 2026-05-01 deepseek-chat was served by the V4-Flash preview: $0.14 cache miss, $0.0028 cache hit (0.02 CNY;
        // the 2026.11.3 table's $0.028 was 10x too high), $0.28 output per 1M.
        ProviderCall.AssertCost(record, "deepseek/deepseek-chat", input: 0.00000896m, cachedInput: 0.0000043008m, cacheWrite: 0m, output: 0.0000028m, total: 0.0000160608m);
    }

    /// <summary>
    /// DeepSeek's peak pricing (api-docs.deepseek.com/quick_start/pricing): twice the off-peak rates Monday to Friday
    /// 01:00-04:00 and 06:00-10:00 UTC, off-peak at weekends and on Chinese public holidays. V4.1-Flash off-peak:
    /// $0.15 miss / $0.003 hit / $0.60 output per 1M.
    /// </summary>
    [Theory]
    [InlineData(2026, 11, 30, 12, false)] // Monday, midday UTC: off-peak
    [InlineData(2026, 11, 30, 7, true)] // Monday 07:00 UTC (15:00 Beijing): peak
    [InlineData(2026, 11, 30, 1, true)] // Monday 01:00 UTC, the first minute of the morning window: peak
    [InlineData(2026, 11, 30, 4, false)] // Monday 04:00 UTC, the morning window has closed: off-peak
    [InlineData(2026, 11, 28, 7, false)] // Saturday: off-peak all day
    [InlineData(2026, 10, 1, 7, false)] // National Day (Thursday): off-peak all day
    public async Task DeepSeek_Flash_PeakWindowsDoubleTheRate(int year, int month, int day, int hour, bool peak)
    {
        var record = await ProviderCall.SendAsync("https://api.deepseek.com/chat/completions", Chat("deepseek-chat"), "deepseek-chat.json", time: FixedClock.Utc(year, month, day, hour));

        var factor = peak ? 2m : 1m;
        ProviderCall.AssertCost(record, "deepseek/deepseek-chat", input: 0.0000096m * factor, cachedInput: 0.000004608m * factor, cacheWrite: 0m, output: 0.000006m * factor, total: 0.000020208m * factor);
    }

    [Fact]
    public async Task DeepSeek_Reasoner_ReasoningIsPartOfTheOutput()
    {
        var record = await ProviderCall.SendAsync("https://api.deepseek.com/chat/completions", Chat("deepseek-reasoner"), "deepseek-reasoner.json", time: FixedClock.Utc(2026, 5, 1, 12));

        Assert.Equal(LlmProviders.DeepSeek, record.Provider);
        Assert.Equal("deepseek-reasoner", record.Model);
        ProviderCall.AssertUsage(record, input: 13, cached: 0, cacheWrite: 0, output: 1051, reasoning: 979);
        // V4-Flash (thinking) preview on 2026-05-01: $0.14 / $0.28 per 1M.
        ProviderCall.AssertCost(record, "deepseek/deepseek-reasoner", input: 0.00000182m, cachedInput: 0m, cacheWrite: 0m, output: 0.00029428m, total: 0.0002961m);
    }

    [Fact]
    public async Task Groq_Stream_UsageFromXGroq()
    {
        var record = await ProviderCall.SendAsync("https://api.groq.com/openai/v1/chat/completions", Chat("llama-3.3-70b-versatile", stream: true), "groq-chat-stream.sse");

        Assert.Equal(LlmProviders.Groq, record.Provider);
        Assert.True(record.Streaming);
        Assert.Equal("llama-3.3-70b-versatile", record.Model);
        ProviderCall.AssertUsage(record, input: 18, cached: 0, cacheWrite: 0, output: 439, reasoning: 0);

        // llama-3.3-70b-versatile: $0.59 input, $0.79 output per 1M (groq.com/pricing).
        ProviderCall.AssertCost(record, "groq/llama-3.3-70b-versatile", input: 0.00001062m, cachedInput: 0m, cacheWrite: 0m, output: 0.00034681m, total: 0.00035743m);
    }

    [Fact]
    public async Task XAI_Chat_ReasoningAddedToOutputAndCacheReadsAtCachedRate()
    {
        var record = await ProviderCall.SendAsync("https://api.x.ai/v1/chat/completions", Chat("grok-3-mini"), "xai-chat.json");

        Assert.Equal(LlmProviders.XAI, record.Provider);
        Assert.Equal("grok-3-mini", record.Model);

        // xAI's total_tokens 800 = 37 prompt + 530 completion + 233 reasoning: the billed output is 763.
        ProviderCall.AssertUsage(record, input: 37, cached: 8, cacheWrite: 0, output: 763, reasoning: 233);

        // grok-3-mini: $0.30 input, $0.075 cached, $0.50 output per 1M (docs.x.ai/docs/models).
        ProviderCall.AssertCost(record, "x_ai/grok-3-mini", input: 0.0000087m, cachedInput: 0.0000006m, cacheWrite: 0m, output: 0.0003815m, total: 0.0003908m);
    }

    [Fact]
    public async Task OpenRouter_ReportedCost_IsTheRecordsCost()
    {
        var record = await ProviderCall.SendAsync("https://openrouter.ai/api/v1/chat/completions", Chat("google/gemma-4-26b-a4b-it"), "openrouter-chat.json");

        Assert.Equal(LlmProviders.OpenRouter, record.Provider);
        Assert.Equal("google/gemma-4-26b-a4b-it", record.Model);
        ProviderCall.AssertUsage(record, input: 64266, cached: 7, cacheWrite: 0, output: 1391, reasoning: 0);

        var cost = Assert.IsType<CostBreakdown>(record.Cost);
        Assert.True(cost.ReportedByProvider);
        Assert.Equal("USD", cost.Currency);
        Assert.Equal(0.0104745m, cost.Total);
        Assert.Null(record.Price);
        Assert.Contains("\"total\":0.0104745,\"source\":\"provider\"}", record.ToJson(), StringComparison.Ordinal);
        Assert.Equal(cost, CostRecord.FromJson(record.ToJson()).Cost);
    }
}
