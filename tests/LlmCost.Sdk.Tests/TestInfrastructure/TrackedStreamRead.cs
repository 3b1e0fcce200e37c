using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests;

/// <summary>
/// Reads an OpenAI stream through the SDK's observing stream the way an SDK does, one SSE event per read, and measures
/// what the read allocated on this thread: the constant-memory-per-call checks.
/// </summary>
internal static class TrackedStreamRead
{
    /// <summary>Returns the bytes allocated while reading the body to its end, and the call's record.</summary>
    public static async Task<(long Allocated, CostRecord Record)> ReadAsync(byte[] body)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.Zero).AddInMemorySink().AddTokenizerEstimation();
        await using var sp = services.BuildServiceProvider();
        var recorder = sp.GetRequiredService<HttpCallTracker>();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions");
        var call = recorder.TryBegin(request, LlmCostTags.Empty, null)!;
        using var response = FakeProviderHandler.Response(body, "text/event-stream");
        call.OnResponse(response);

        var buffer = new byte[256];
        long allocated;
        using (var stream = new ObservingReadStream(new OneEventPerReadStream(body), call))
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            while (stream.Read(buffer) > 0)
            {
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        await sp.GetRequiredService<ILlmCostTracker>().FlushAsync();
        return (allocated, Assert.Single(sp.GetRequiredService<InMemoryCostSink>().Records));
    }
}
