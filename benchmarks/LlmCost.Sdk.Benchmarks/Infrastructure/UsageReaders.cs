namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Feeds a whole payload to a fresh usage reader in 16 KiB writes, as a network read loop would: one benchmark
/// operation of the parser benchmarks. The framing (one JSON document, SSE, the AWS event stream) is the only difference
/// between formats, so it is passed in.
/// </summary>
internal static class UsageReaders
{
    public const int ChunkSize = 16 * 1024;

    public static readonly Func<JsonScanner, IUsageReader> Json = json => json;

    public static readonly Func<JsonScanner, IUsageReader> Sse = json => new SseUsageReader(json);

    public static readonly Func<JsonScanner, IUsageReader> EventStream = json => new AwsEventStreamReader(json);

    /// <summary>Reads the payload and returns the output tokens found, or -1 when the reader found it malformed.</summary>
    public static long OutputTokens(byte[] payload, UsageMapping mapping, Func<JsonScanner, IUsageReader> framing)
    {
        var usage = new UsageAccumulator();
        var json = new JsonScanner(mapping, usage);
        var reader = framing(json);
        var data = payload.AsSpan();
        for (var i = 0; i < data.Length; i += ChunkSize)
        {
            reader.Write(data.Slice(i, Math.Min(ChunkSize, data.Length - i)));
        }

        reader.Complete();
        var malformed = reader.Malformed; // before Release, which leaves the scanner unusable (and so "malformed")
        json.Release();
        return malformed ? -1 : usage.ToUsage().OutputTokens;
    }
}
