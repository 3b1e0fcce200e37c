using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Http;

public class ObservingReadStreamTests
{
    private static byte[] OpenAIStream(int chunks)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < chunks; i++)
        {
            builder.Append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token ")
                .Append(i).Append("\"}}],\"usage\":null}\n\n");
        }

        builder.Append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":")
            .Append(chunks).Append("}}\n\ndata: [DONE]\n\n");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static Task<(long Allocated, CostRecord Record)> ReadTrackedAsync(int chunks) => TrackedStreamRead.ReadAsync(OpenAIStream(chunks));

    [Fact]
    public async Task Read_LongerStream_AllocatesNoMorePerCall()
    {
        // Warm up once so one-time costs (pool arrays, static initializers) are not counted.
        await ReadTrackedAsync(10);

        // The least of three runs each: a one-time allocation on a thread the test had not used yet (a thread-local
        // pool bucket) must not pass for growth, while any per-chunk allocation shows in every run.
        long shortStream = long.MaxValue, longStream = long.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var (shortBytes, shortRecord) = await ReadTrackedAsync(10);
            var (longBytes, longRecord) = await ReadTrackedAsync(2000);
            Assert.Equal(10, shortRecord.Usage.OutputTokens);
            Assert.Equal(2000, longRecord.Usage.OutputTokens);
            shortStream = Math.Min(shortStream, shortBytes);
            longStream = Math.Min(longStream, longBytes);
        }

        // Reading 200 times more chunks allocates no more: memory per call is constant.
        Assert.True(longStream <= shortStream + 512, $"10 chunks: {shortStream} B, 2,000 chunks: {longStream} B");
    }

    [Fact]
    public async Task Read_ZeroByteRead_IsNotTheEndOfTheBody()
    {
        var body = OpenAIStream(3);
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.Zero).AddInMemorySink();
        await using var sp = services.BuildServiceProvider();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions");
        var call = sp.GetRequiredService<HttpCallTracker>().TryBegin(request, LlmCostTags.Empty, null)!;
        using var response = FakeProviderHandler.Response(body, "text/event-stream");
        call.OnResponse(response);

        using (var stream = new ObservingReadStream(new MemoryStream(body), call))
        {
            Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty)); // a zero-byte read only waits for data
            await stream.CopyToAsync(Stream.Null);
        }

        await sp.GetRequiredService<ILlmCostTracker>().FlushAsync();
        var record = Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records);
        Assert.Equal(3, record.Usage.OutputTokens);
    }
}
