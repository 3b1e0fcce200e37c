using System.Text;
using Anthropic;
using Anthropic.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Extensions.AI.Tests.EndToEnd;

/// <summary>
/// The Anthropic SDK's <c>AsIChatClient</c> through the decorator alone (its HttpClient untracked): the record carries what
/// the adapter leaves out of <see cref="UsageDetails"/> (one-hour cache writes, the served tier), read from the raw
/// representation, and prices the call as the HTTP handler prices the same bytes.
/// </summary>
public class AnthropicChatClientTests
{
    /// <summary>The prompt-caching payload with part of its writes in the one-hour cache and a priority tier.</summary>
    private static byte[] OneHourPayload(string name)
    {
        var text = Encoding.UTF8.GetString(Payloads.Bytes(name));
        text = name.EndsWith(".sse", StringComparison.Ordinal)
            ? text.Replace("\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0}", "\"cache_creation_input_tokens\":3000,\"cache_read_input_tokens\":0,\"cache_creation\":{\"ephemeral_5m_input_tokens\":1000,\"ephemeral_1h_input_tokens\":2000}", StringComparison.Ordinal)
                .Replace("\"cache_creation_input_tokens\":0,", "\"cache_creation_input_tokens\":3000,", StringComparison.Ordinal) // message_delta repeats the totals
            : text.Replace("\"ephemeral_5m_input_tokens\": 3117,", "\"ephemeral_5m_input_tokens\": 1117,", StringComparison.Ordinal)
                .Replace("\"ephemeral_1h_input_tokens\": 0", "\"ephemeral_1h_input_tokens\": 2000", StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text.Replace("\"standard\"", "\"priority\"", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("anthropic-messages-cache.json", false)]
    [InlineData("anthropic-messages-stream-wire.sse", true)]
    public async Task Decorator_AnthropicSdk_OneHourCacheWritesAndTierAsTheHandlerReadsThem(string payload, bool streaming)
    {
        var body = OneHourPayload(payload);
        Assert.Contains("\"ephemeral_1h_input_tokens\":", Encoding.UTF8.GetString(body), StringComparison.Ordinal);

        var viaHttp = await RecordAsync(body, payload, streaming, trackHttp: true);
        var viaDecorator = await RecordAsync(body, payload, streaming, trackHttp: false);

        Assert.Null(viaDecorator.StatusCode); // the decorator's record
        Assert.Equal(200, viaHttp.StatusCode); // the handler's
        Assert.Equal(2000, viaDecorator.Usage.CacheWrite1hInputTokens);
        Assert.Equal("priority", viaDecorator.ServiceTier);
        Assert.Equal(viaHttp.ServiceTier, viaDecorator.ServiceTier);
        Assert.Equal(viaHttp.Usage with { Source = UsageSource.Provider }, viaDecorator.Usage);
        Assert.NotNull(viaDecorator.Cost);
        Assert.Equal(viaHttp.Cost!.Total, viaDecorator.Cost!.Total);
    }

    private static async Task<CostRecord> RecordAsync(byte[] body, string payload, bool streaming, bool trackHttp)
    {
        var fake = new FakeProviderHandler(body, Payloads.MediaType(payload));
        await using var sp = TestServices.Create(services: services =>
        {
            var http = services.AddHttpClient("anthropic").ConfigurePrimaryHttpMessageHandler(() => fake);
            if (trackHttp)
            {
                http.AddLlmCostTracking();
            }
        });
        var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient("anthropic");
        using var anthropic = new AnthropicClient(new ClientOptions { HttpClient = http, ApiKey = "sk-ant-test", MaxRetries = 0 });
        var builder = new ChatClientBuilder(anthropic.AsIChatClient("claude-sonnet-4-5", 1024));
        if (!trackHttp)
        {
            builder.UseLlmCostTracking();
        }

        using var chat = builder.Build(sp);
        if (streaming)
        {
            await foreach (var update in chat.GetStreamingResponseAsync("Hello"))
            {
                _ = update;
            }
        }
        else
        {
            await chat.GetResponseAsync("Hello");
        }

        return await sp.SingleRecordAsync();
    }
}
