namespace LlmCost.Sdk.Tests.Providers;

public class BedrockConverseUsageMappingTests
{
    private static readonly int[] Chunkings = [1, 2, 7, 64, int.MaxValue];

    public static TheoryData<string, long, long, long, long> ConversePayloads => new()
    {
        // file, input (incl. cache), cache read, cache write, output (see Payloads/SOURCES.md)
        { "bedrock-converse.json", 2, 0, 0, 10 },
        // inputTokens 45 excludes the cache: 45 + 3000 read + 1200 written = 4245 (totalTokens 4595 = 4245 + 350 output)
        { "bedrock-converse-cache.json", 45 + 3000 + 1200, 3000, 1200, 350 },
    };

    [Theory]
    [MemberData(nameof(ConversePayloads))]
    public void Read_ConverseResponseInAnyChunking_MapsToNormalizedUsage(string file, long input, long cacheRead, long cacheWrite, long output)
    {
        var body = Payloads.Bytes(file);
        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = UsageParsing.Read(BedrockConverseUsageMapping.Instance, body, sse: false, Math.Min(chunkSize, body.Length));

            Assert.False(malformed);
            Assert.Null(usage.Model); // Converse never names the model: the URL's id is kept
            Assert.Equal(UsageParsing.Usage(input, cacheRead, cacheWrite, output, 0), usage.ToUsage());
        }
    }

    [Fact]
    public void Read_LiveConverseStreamCapture_ReadsTheMetadataEvent()
    {
        // Bytes captured from Bedrock (eu.anthropic.claude-sonnet-4-6, eu-central-1): messageStart, two
        // contentBlockDelta, contentBlockStop, messageStop and metadata {"metrics":…,"p":…,"usage":{"inputTokens":12,"outputTokens":5,…}}.
        var body = Payloads.Bytes("bedrock-converse-stream-live.eventstream");
        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = AwsEventStream.Read(BedrockConverseUsageMapping.Instance, body, chunkSize);

            Assert.False(malformed);
            Assert.Null(usage.Model);
            Assert.Equal(UsageParsing.Usage(12, 0, 0, 5, 0), usage.ToUsage());
        }
    }

    [Fact]
    public void Read_ConverseStreamWithCache_AddsCacheReadsAndWritesToInput()
    {
        var body = ConverseStreamCacheBody();
        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = AwsEventStream.Read(BedrockConverseUsageMapping.Instance, body, chunkSize);

            Assert.False(malformed);
            Assert.Equal(UsageParsing.Usage(4245, 3000, 1200, 350, 0), usage.ToUsage());
        }
    }

    [Fact]
    public void Read_ConverseStreamCutBeforeMetadata_HasNoUsage()
    {
        var messages = AwsEventStream.Split(ConverseStreamCacheBody());
        var cut = AwsEventStream.Stream(messages.Take(messages.Count - 1));

        var (usage, malformed) = AwsEventStream.Read(BedrockConverseUsageMapping.Instance, cut, 16);

        Assert.False(malformed);
        Assert.False(usage.HasUsage);
    }

    /// <summary>The events of Payloads/bedrock-converse-stream-cache.events ("eventType TAB json" per line), framed.</summary>
    internal static byte[] ConverseStreamCacheBody() => AwsEventStream.Stream(
        Payloads.Text("bedrock-converse-stream-cache.events")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t', 2))
            .Select(parts => AwsEventStream.Event(parts[0], parts[1])));
}
