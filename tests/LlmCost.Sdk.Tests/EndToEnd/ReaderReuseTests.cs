namespace LlmCost.Sdk.Tests.EndToEnd;

/// <summary>
/// The pump reuses one usage reader and one scanner from call to call (no per-call allocation in steady state): a call
/// read after another must never keep anything of it — a model, a service tier, a count, a provider-reported cost.
/// </summary>
public sealed class ReaderReuseTests
{
    // Rich calls (cache writes, modality details, a reported cost, a service tier, a stream) next to plain ones.
    private static readonly string[] Sequence =
    [
        "anthropic-messages-cache.json",
        "openai-chat.json",
        "gemini-audio-prompt.json",
        "openai-chat-priority.json",
        "openrouter-chat-cache-write.json",
        "anthropic-messages-stream.sse",
        "gemini-thinking.json",
        "openai-chat-stream-nousage.sse",
        "bedrock-converse-cache.json",
        "openai-embeddings.json",
        "mistral-chat.json",
    ];

    public static TheoryData<bool> Orders() => new() { false, true };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task CallsReadOneAfterAnother_EachRecordIsTheOneItsOwnHostWouldWrite(bool reversed)
    {
        var payloads = reversed ? Sequence.Reverse().ToArray() : Sequence;
        var alone = new List<CostRecord>();
        foreach (var payload in payloads)
        {
            alone.Add(Assert.Single(await SendAsync([payload])));
        }

        var together = await SendAsync(payloads);

        Assert.Equal(payloads.Length, together.Count);
        for (var i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(Comparable(alone[i]), Comparable(together[i]));
        }
    }

    /// <summary>Sends the calls one after another on one host, each read to its end before the next starts.</summary>
    private static async Task<List<CostRecord>> SendAsync(IReadOnlyList<string> payloads)
    {
        await using var stub = await ProviderStub.StartAsync();
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();
        foreach (var payload in payloads)
        {
            stub.Reply = StubReply.ForPayload(payload);
            using var request = payload == "openai-embeddings.json"
                ? new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/embeddings")
                {
                    Content = new StringContent("""{"model":"text-embedding-3-small","input":"Hello"}""", System.Text.Encoding.UTF8, "application/json"),
                }
                : TrackedHost.RequestFor(payload);
            using var response = await client.SendAsync(request);
            _ = await response.Content.ReadAsByteArrayAsync();
            await host.Tracker.FlushAsync(); // recorded (and its readers given back) before the next call begins
        }

        Assert.Equal(payloads.Count, host.Tracker.Statistics.Queued);
        return [.. host.Sink.Records];
    }

    /// <summary>The record without what differs between any two calls (id, time, duration).</summary>
    private static CostRecord Comparable(CostRecord record) =>
        record with { Id = Guid.Empty, Timestamp = default, DurationMs = 0 };
}
