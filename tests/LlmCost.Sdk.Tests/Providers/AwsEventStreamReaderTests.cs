using System.Text;

namespace LlmCost.Sdk.Tests.Providers;

public class AwsEventStreamReaderTests
{
    private static readonly int[] Chunkings = [1, 2, 7, 64, int.MaxValue];

    /// <summary>Reads a top-level <c>InitialResponse</c> string as the "model", to see exactly which JSON reached the scanner.</summary>
    private sealed class ProbeMapping : UsageMapping
    {
        public static readonly ProbeMapping Instance = new();

        private static readonly ulong Probe = JsonPath.Hash("InitialResponse"u8);
        private static readonly ulong Count = JsonPath.Hash("count"u8);

        public override UsageField Match(in JsonPath path) =>
            path.Is(Probe) ? UsageField.Model : path.Is(Count) ? UsageField.Output : UsageField.None;
    }

    // AWS's own encoded test vectors (botocore tests/unit/test_eventstream.py, the same vectors as the AWS CRT's
    // aws-c-event-stream), as hex: bytes and CRCs written by AWS, not by our encoder.
    private static readonly byte[] BotocoreInitialResponse = Convert.FromHexString(
        "0000007E0000004FC5A3DDC60D3A6D6573736167652D747970650700056576656E740B3A6576656E742D74797065070010696E697469616C2D726573706F6E73650D3A636F6E74656E742D74797065070009746578742F6A736F6E7B22496E697469616C526573706F6E7365223A2022736F6D6574657874227DF6982483");

    private static readonly byte[] BotocoreAllHeaderTypes = Convert.FromHexString(
        "000000620000005203B5CB9C0130000131010132020201330300030134040000000401350500000000000000050136060005627974657301370700047574663801380800000000000000080139093031323334353637383961626364656663353671");

    private static readonly byte[] BotocoreEmptyMessage = Convert.FromHexString("000000100000000005C248EB7D98C8FF");

    private static readonly byte[] BotocoreErrorMessage = Convert.FromHexString(
        "0000005200000042BF23637E0D3A6D6573736167652D747970650700056572726F720B3A6572726F722D636F6465070004636F64650E3A6572726F722D6D6573736167650700076D6573736167656B6CEA3D");

    private static readonly byte[] BotocorePayloadNoHeaders = Convert.FromHexString("0000001D00000000FD528C5A7B27666F6F273A27626172277DC3653936");

    public static TheoryData<string, string> BotocoreCorruptions => new()
    {
        // name, hex (botocore's NEGATIVE_CASES)
        { "CORRUPTED_LENGTH", "0100001D00000000FD528C5A7B27666F6F273A27626172277DC3653936" },
        { "CORRUPTED_PAYLOAD", "0000001D00000000FD528C5A7B27666F6F273A27626172278DC3653936" },
        { "CORRUPTED_HEADERS", "0000003D0000002007FD83960C636F6E74656E742B747970650700106170706C69636174696F6E2F6A736F6E7B27666F6F273A27626172277D8D9C08B1" },
        { "CORRUPTED_HEADER_LENGTH", "0000003DFF00010207FD83960C636F6E74656E742D747970650700106170706C69636174696F6E2F6A736F6E7B27666F6F273A27626172277D8D9C08B1" },
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(int.MaxValue)]
    public void Write_AwsEncodedEventMessage_FeedsItsJsonPayload(int chunkSize)
    {
        var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, BotocoreInitialResponse, chunkSize);

        Assert.False(malformed);
        Assert.Equal("sometext", usage.Model);
    }

    [Fact]
    public void Write_AwsVectorsOfEveryHeaderTypeErrorAndEmptyMessages_AreReadWithoutMalformed()
    {
        // Every header type (bool, byte, short, int, long, bytes, string, timestamp, uuid), an empty message and an
        // error message, one after the other, then the event: the event is still found after all of them.
        byte[] stream = [.. BotocoreEmptyMessage, .. BotocoreAllHeaderTypes, .. BotocoreErrorMessage, .. BotocorePayloadNoHeaders, .. BotocoreInitialResponse];

        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, stream, chunkSize);

            Assert.False(malformed);
            Assert.Equal("sometext", usage.Model);
        }
    }

    [Theory]
    [MemberData(nameof(BotocoreCorruptions))]
    public void Write_AwsCorruptedVectors_MalformedWithoutThrowing(string name, string hex)
    {
        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, Convert.FromHexString(hex), chunkSize);

            Assert.True(malformed, name);
            Assert.False(usage.HasUsage);
        }
    }

    [Fact]
    public void Write_OurEncoder_MatchesAwsBytes()
    {
        // Our test encoder writes the exact bytes AWS's vector has, CRCs included.
        var encoded = AwsEventStream.Message(
            [AwsEventStream.String(":message-type", "event"), AwsEventStream.String(":event-type", "initial-response"), AwsEventStream.String(":content-type", "text/json")],
            Encoding.UTF8.GetBytes("{\"InitialResponse\": \"sometext\"}"));

        Assert.Equal(BotocoreInitialResponse, encoded);
    }

    [Fact]
    public void Write_LiveBedrockExceptionFrame_IsNotUsageAndNotMalformed()
    {
        // A modelStreamErrorException frame captured from Bedrock (Vercel AI SDK fixture).
        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, Payloads.Bytes("bedrock-model-stream-error.eventstream"), chunkSize);

            Assert.False(malformed);
            Assert.False(usage.HasUsage);
        }
    }

    [Fact]
    public void Write_ExceptionCarryingUsageShapedJson_IsIgnored()
    {
        var stream = AwsEventStream.Stream([
            AwsEventStream.Exception("throttlingException", "{\"count\":99}"),
            AwsEventStream.Event("metadata", "{\"count\":7}"),
        ]);

        var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, stream, 3);

        Assert.False(malformed);
        Assert.Equal(7, usage.ToUsage().OutputTokens);
    }

    [Theory]
    [InlineData(8)]   // in the prelude's lengths
    [InlineData(10)]  // in the prelude CRC
    [InlineData(40)]  // in a header
    [InlineData(-10)] // in the payload
    [InlineData(-1)]  // in the message CRC
    public void Write_AnyFlippedBit_MalformedAndStopsReading(int position)
    {
        var first = AwsEventStream.Event("metadata", "{\"count\":1234567}");
        var at = position >= 0 ? position : first.Length + position;
        first[at] ^= 0x10;
        var stream = AwsEventStream.Stream([first, AwsEventStream.Event("metadata", "{\"count\":7}")]);

        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, stream, chunkSize);

            Assert.True(malformed);
            Assert.False(usage.HasUsage); // nothing after the bad message is read either
        }
    }

    [Theory]
    [InlineData(0u)]           // shorter than a prelude and a CRC
    [InlineData(15u)]
    [InlineData(0x7FFFFFFFu)]  // beyond the format's 16 MiB payload
    public void Write_ImpossibleTotalLength_Malformed(uint totalLength)
    {
        var prelude = new byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prelude, totalLength);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(8), AwsEventStream.Crc32(prelude.AsSpan(0, 8)));

        var (_, malformed) = AwsEventStream.Read(ProbeMapping.Instance, prelude, 1);

        Assert.True(malformed);
    }

    [Fact]
    public void Write_HeadersLongerThanTheMessage_Malformed()
    {
        var prelude = new byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prelude, 20);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(4), 5);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(8), AwsEventStream.Crc32(prelude.AsSpan(0, 8)));

        var (_, malformed) = AwsEventStream.Read(ProbeMapping.Instance, prelude, 5);

        Assert.True(malformed);
    }

    [Fact]
    public void Write_UnknownHeaderType_Malformed()
    {
        var message = AwsEventStream.Message([AwsEventStream.Header(":message-type", 42, [])], Encoding.UTF8.GetBytes("{\"count\":1}"));

        var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, message, 4);

        Assert.True(malformed);
        Assert.False(usage.HasUsage);
    }

    [Fact]
    public void Complete_StreamCutInsideAMessage_Malformed()
    {
        var whole = AwsEventStream.Stream([AwsEventStream.Event("metadata", "{\"count\":5}"), AwsEventStream.Event("metadata", "{\"count\":6}")]);
        var cut = whole[..(whole.Length - 3)];

        var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, cut, 7);

        Assert.True(malformed);
        Assert.Equal(5, usage.ToUsage().OutputTokens); // the whole first message was read
    }

    [Fact]
    public void Write_PayloadOverTheCap_IsSkippedButChecked()
    {
        // A 100 KiB event (over the 64 KiB kept for one message) is CRC-checked as it streams by and skipped; the
        // event after it is read.
        var big = "{\"text\":\"" + new string('x', 100 * 1024) + "\",\"count\":1}";
        var stream = AwsEventStream.Stream([AwsEventStream.Event("contentBlockDelta", big), AwsEventStream.Event("metadata", "{\"count\":9}")]);

        var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, stream, 1000);
        Assert.False(malformed);
        Assert.Equal(9, usage.ToUsage().OutputTokens);

        stream[50_000] ^= 1; // a bad CRC in the skipped message is still caught
        (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, stream, 1000);
        Assert.True(malformed);
        Assert.False(usage.HasUsage);
    }

    [Fact]
    public void Write_ChunkEvent_DecodesBase64AndReadsTheModelJson()
    {
        var stream = AwsEventStream.Chunk("{\"InitialResponse\":\"from-chunk\",\"count\":3}");

        foreach (var chunkSize in Chunkings)
        {
            var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, stream, chunkSize);

            Assert.False(malformed);
            Assert.Equal("from-chunk", usage.Model);
            Assert.Equal(3, usage.ToUsage().OutputTokens);
        }
    }

    [Fact]
    public void Write_ChunkWithEscapedSolidus_IsDecoded()
    {
        // "???" on a 3-byte boundary encodes to "Pz8/": a serializer may write the "/" as "\/".
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"x\":\"???\",\"count\":4}"));
        Assert.Contains("/", base64, StringComparison.Ordinal);
        var stream = AwsEventStream.Event("chunk", "{\"bytes\":\"" + base64.Replace("/", "\\/", StringComparison.Ordinal) + "\"}");

        var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, stream, 5);

        Assert.False(malformed);
        Assert.Equal(4, usage.ToUsage().OutputTokens);
    }

    [Theory]
    [InlineData("{\"bytes\":\"not base64!\"}")]
    [InlineData("{\"bytes\":42}")]
    [InlineData("{\"other\":\"eyJjb3VudCI6NH0=\"}")]
    [InlineData("[\"eyJjb3VudCI6NH0=\"]")]
    [InlineData("{\"bytes\":\"eyJjb3VudCI6NH0=\"")]
    public void Write_BadChunkPayload_MalformedWithoutThrowing(string payload)
    {
        var stream = AwsEventStream.Stream([AwsEventStream.Event("chunk", payload), AwsEventStream.Chunk("{\"count\":8}")]);

        var (usage, malformed) = AwsEventStream.Read(ProbeMapping.Instance, stream, 3);

        Assert.True(malformed);
        Assert.Equal(8, usage.ToUsage().OutputTokens); // a bad event's JSON does not stop the stream
    }
}
