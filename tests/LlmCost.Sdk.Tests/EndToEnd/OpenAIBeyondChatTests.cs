using System.Text;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// OpenAI beyond Chat Completions through the tracking handler: the Responses API (one JSON document and a stream),
/// embeddings, and the served service tier picking the rates (flex, priority, default).
/// </summary>
public sealed class OpenAIBeyondChatTests
{
    [Fact]
    public async Task Responses_ReasoningResponse_PricedWithReasoningAsOutput()
    {
        var record = await ProviderCall.SendAsync("https://api.openai.com/v1/responses", """{"model":"o1","input":"How much wood would a woodchuck chuck?","reasoning":{"effort":"high"}}""", "openai-responses.json");

        Assert.Equal(LlmProviders.OpenAI, record.Provider);
        Assert.Equal(LlmOperations.Chat, record.Operation);
        Assert.Equal("o1-2024-12-17", record.Model);
        Assert.Equal("o1", record.RequestModel);
        Assert.False(record.Streaming);
        ProviderCall.AssertUsage(record, input: 81, cached: 0, cacheWrite: 0, output: 1035, reasoning: 832);

        // o1: $15 input, $60 output per 1M.
        ProviderCall.AssertCost(record, "openai/o1", input: 0.001215m, cachedInput: 0m, cacheWrite: 0m, output: 0.0621m, total: 0.063315m);
    }

    [Fact]
    public async Task Responses_Stream_UsageFromResponseCompleted()
    {
        var record = await ProviderCall.SendAsync("https://api.openai.com/v1/responses", """{"model":"gpt-3.5-turbo","input":"Say hello","stream":true}""", "openai-responses-stream.sse");

        Assert.True(record.Streaming);
        Assert.Equal("gpt-3.5-turbo-0125", record.Model);
        ProviderCall.AssertUsage(record, input: 13, cached: 0, cacheWrite: 0, output: 12, reasoning: 0);

        // gpt-3.5-turbo: $0.50 input, $1.50 output per 1M.
        ProviderCall.AssertCost(record, "openai/gpt-3.5-turbo", input: 0.0000065m, cachedInput: 0m, cacheWrite: 0m, output: 0.000018m, total: 0.0000245m);
    }

    [Fact]
    public async Task Embeddings_TextEmbedding3Small_PricedAtTwoCentsPerMillion()
    {
        var record = await ProviderCall.SendAsync("https://api.openai.com/v1/embeddings", """{"model":"text-embedding-3-small","input":"The food was delicious and the waiter..."}""", "openai-embeddings.json");

        Assert.Equal(LlmProviders.OpenAI, record.Provider);
        Assert.Equal(LlmOperations.Embeddings, record.Operation);
        Assert.Equal("text-embedding-3-small", record.Model);
        ProviderCall.AssertUsage(record, input: 8, cached: 0, cacheWrite: 0, output: 0, reasoning: 0);
        ProviderCall.AssertCost(record, "openai/text-embedding-3-small", input: 0.00000016m, cachedInput: 0m, cacheWrite: 0m, output: 0m, total: 0.00000016m);
    }

    /// <summary>
    /// gpt-5 with 1200 input (1024 cached), 350 output (256 reasoning), priced at the tier the response says served it:
    /// platform.openai.com/docs/pricing — flex $0.625 / $0.0625 / $5, standard $1.25 / $0.125 / $10, priority $2.50 / $0.25 / $20 per 1M.
    /// </summary>
    [Theory]
    [InlineData("flex", 0.00011, 0.000064, 0.00175, 0.001924)]
    [InlineData("priority", 0.00044, 0.000256, 0.007, 0.007696)]
    [InlineData("default", 0.00022, 0.000128, 0.0035, 0.003848)]
    public async Task Chat_ServedServiceTier_PricedAtThatTiersRates(string tier, decimal input, decimal cachedInput, decimal output, decimal total)
    {
        // openai-chat-flex.json and openai-chat-priority.json; the default-tier reply is the priority one as the standard tier answers it.
        var file = tier == "flex" ? "openai-chat-flex.json" : "openai-chat-priority.json";
        var body = tier == "default"
            ? Encoding.UTF8.GetBytes(Payloads.Text(file).Replace("\"service_tier\": \"priority\"", "\"service_tier\": \"default\"", StringComparison.Ordinal))
            : Payloads.Bytes(file);
        var reply = new StubReply { ContentType = "application/json", ContentLength = body.Length }.WithBody(body);
        var request = $$"""{"model":"gpt-5","messages":[{"role":"user","content":"Hello"}],"service_tier":"{{(tier == "default" ? "auto" : tier)}}"}""";

        var record = await ProviderCall.SendAsync("https://api.openai.com/v1/chat/completions", request, reply, body);

        Assert.Equal("gpt-5-2025-08-07", record.Model);
        Assert.Equal(tier, record.ServiceTier);
        ProviderCall.AssertUsage(record, input: 1200, cached: 1024, cacheWrite: 0, output: 350, reasoning: 256);
        ProviderCall.AssertCost(record, "openai/gpt-5", input, cachedInput, cacheWrite: 0m, output, total);
        Assert.Contains($"\"serviceTier\":\"{tier}\"", record.ToJson(), StringComparison.Ordinal);
    }
}
