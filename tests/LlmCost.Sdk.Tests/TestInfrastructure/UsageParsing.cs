namespace LlmCost.Sdk.Tests;

/// <summary>Feeds bytes to the SDK's incremental usage readers the way the handler does, in chunks of a given size.</summary>
internal static class UsageParsing
{
    public static (UsageAccumulator Usage, bool Malformed) Read(UsageMapping mapping, byte[] body, bool sse, int chunkSize)
    {
        var usage = new UsageAccumulator();
        var json = new JsonScanner(mapping, usage);
        var reader = sse ? new SseUsageReader(json) : null;
        for (var offset = 0; offset < body.Length; offset += chunkSize)
        {
            var chunk = body.AsSpan(offset, Math.Min(chunkSize, body.Length - offset));
            if (reader is not null)
            {
                reader.Write(chunk);
            }
            else
            {
                json.Write(chunk);
            }
        }

        bool malformed;
        if (reader is not null)
        {
            reader.Complete();
            malformed = reader.Malformed;
        }
        else
        {
            json.Complete();
            malformed = json.Malformed;
        }

        json.Release();
        return (usage, malformed);
    }

    public static TokenUsage Usage(long input, long cached, long cacheWrite, long output, long reasoning) => new()
    {
        InputTokens = input,
        CachedInputTokens = cached,
        CacheWriteInputTokens = cacheWrite,
        OutputTokens = output,
        ReasoningTokens = reasoning,
        Source = UsageSource.Provider,
    };
}
