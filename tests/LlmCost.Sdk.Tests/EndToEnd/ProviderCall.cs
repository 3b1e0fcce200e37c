using System.Text;

namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// One tracked call to a provider's real URL, answered by <see cref="ProviderStub"/> with a payload file: the app reads
/// the body to the end, the test gets the bytes it read and the single record the SDK made.
/// </summary>
internal static class ProviderCall
{
    public static async Task<CostRecord> SendAsync(
        string url,
        string requestBody,
        string payload,
        Action<LlmCostOptions>? configure = null,
        int statusCode = 200,
        TimeProvider? time = null) =>
        await SendAsync(url, requestBody, StubReply.ForPayload(payload, statusCode), Payloads.Bytes(payload), configure, statusCode, time);

    /// <summary>The same with a reply built by the test (a payload file edited in memory).</summary>
    public static async Task<CostRecord> SendAsync(
        string url,
        string requestBody,
        StubReply reply,
        byte[] expectedBody,
        Action<LlmCostOptions>? configure = null,
        int statusCode = 200,
        TimeProvider? time = null)
    {
        await using var stub = await ProviderStub.StartAsync(reply);
        await using var host = TrackedHost.Create(stub, configure: configure, time: time);
        using var client = host.CreateClient();

        using (var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(requestBody, Encoding.UTF8, "application/json") })
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(statusCode, (int)response.StatusCode);
            using var copy = new MemoryStream();
            await (await response.Content.ReadAsStreamAsync()).CopyToAsync(copy);

            // The app reads exactly what the provider sent.
            Assert.Equal(expectedBody, copy.ToArray());
        }

        var received = Assert.Single(stub.Requests);
        Assert.Equal(requestBody, Encoding.UTF8.GetString(received.Body));
        return await host.SingleRecordAsync();
    }

    /// <summary>Asserts every normalized usage field (the web searches too) and that the provider reported them.</summary>
    public static void AssertUsage(CostRecord record, long input, long cached, long cacheWrite, long output, long reasoning, long cacheWrite1h = 0, long webSearches = 0)
    {
        Assert.Equal(
            new TokenUsage
            {
                InputTokens = input,
                CachedInputTokens = cached,
                CacheWriteInputTokens = cacheWrite,
                CacheWrite1hInputTokens = cacheWrite1h,
                OutputTokens = output,
                ReasoningTokens = reasoning,
                WebSearchRequests = webSearches,
                Source = UsageSource.Provider,
            },
            record.Usage);
    }

    /// <summary>Asserts the cost, part by part, and the price-table entry that priced it (a trailing <c>*</c> matches an id prefix).</summary>
    public static void AssertCost(CostRecord record, string entry, decimal input, decimal cachedInput, decimal cacheWrite, decimal output, decimal total, decimal requests = 0m)
    {
        var cost = Assert.IsType<CostBreakdown>(record.Cost);
        Assert.Equal("USD", cost.Currency);
        Assert.False(cost.ReportedByProvider);
        Assert.Equal(input, cost.Input);
        Assert.Equal(cachedInput, cost.CachedInput);
        Assert.Equal(cacheWrite, cost.CacheWrite);
        Assert.Equal(output, cost.Output);
        Assert.Equal(requests, cost.Requests);
        Assert.Equal(total, cost.Total);
        Assert.Equal(input + cachedInput + cacheWrite + output + requests, cost.Total);
        var priced = Assert.IsType<PriceReference>(record.Price).Entry;
        if (entry.EndsWith('*'))
        {
            // The entry's id is the data's choice (a model or its family); its provider and model prefix are not.
            Assert.StartsWith(entry[..^1], priced, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(entry, priced);
        }
    }
}
