using System.Buffers.Binary;
using System.Text;

namespace LlmCost.Sdk.Tests;

/// <summary>
/// Builds valid <c>application/vnd.amazon.eventstream</c> messages for tests, the way Bedrock frames them. Its CRC-32 is
/// a plain bitwise implementation, independent of the one the SDK uses.
/// </summary>
internal static class AwsEventStream
{
    /// <summary>A Bedrock event message: <c>:event-type</c>, <c>:content-type</c> and <c>:message-type</c> headers, then the JSON payload.</summary>
    public static byte[] Event(string eventType, string json) => Message(
        [String(":event-type", eventType), String(":content-type", "application/json"), String(":message-type", "event")],
        Encoding.UTF8.GetBytes(json));

    /// <summary>An InvokeModelWithResponseStream <c>chunk</c> event: the model's JSON, base64-encoded in <c>{"bytes":…}</c>.</summary>
    public static byte[] Chunk(string modelJson) =>
        Event("chunk", "{\"bytes\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(modelJson)) + "\",\"p\":\"abcdefghijklmnopqrstuvwxyzABCD\"}");

    /// <summary>An exception message (<c>:message-type</c> = <c>exception</c>).</summary>
    public static byte[] Exception(string exceptionType, string json) => Message(
        [String(":exception-type", exceptionType), String(":content-type", "application/json"), String(":message-type", "exception")],
        Encoding.UTF8.GetBytes(json));

    /// <summary>Concatenates messages into one stream.</summary>
    public static byte[] Stream(IEnumerable<byte[]> messages) => [.. messages.SelectMany(m => m)];

    /// <summary>A string header (type 7).</summary>
    public static byte[] String(string name, string value)
    {
        var n = Encoding.UTF8.GetBytes(name);
        var v = Encoding.UTF8.GetBytes(value);
        var header = new byte[1 + n.Length + 1 + 2 + v.Length];
        header[0] = (byte)n.Length;
        n.CopyTo(header, 1);
        header[1 + n.Length] = 7;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2 + n.Length), (ushort)v.Length);
        v.CopyTo(header, 4 + n.Length);
        return header;
    }

    /// <summary>A header of any type with its raw value bytes (the u16 length of types 6 and 7 included by the caller).</summary>
    public static byte[] Header(string name, byte type, byte[] value)
    {
        var n = Encoding.UTF8.GetBytes(name);
        return [(byte)n.Length, .. n, type, .. value];
    }

    /// <summary>One message: prelude (lengths and their CRC), headers, payload, message CRC.</summary>
    public static byte[] Message(IEnumerable<byte[]> headers, byte[] payload)
    {
        byte[] headerBytes = [.. headers.SelectMany(h => h)];
        var total = 12 + headerBytes.Length + payload.Length + 4;
        var message = new byte[total];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), Crc32(message.AsSpan(0, 8)));
        headerBytes.CopyTo(message, 12);
        payload.CopyTo(message, 12 + headerBytes.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(total - 4), Crc32(message.AsSpan(0, total - 4)));
        return message;
    }

    /// <summary>Splits a stream into its messages by their total-length fields.</summary>
    public static IReadOnlyList<byte[]> Split(byte[] stream)
    {
        var messages = new List<byte[]>();
        for (var offset = 0; offset < stream.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(stream.AsSpan(offset));
            messages.Add(stream[offset..(offset + length)]);
            offset += length;
        }

        return messages;
    }

    /// <summary>CRC-32/IEEE (reflected polynomial 0xEDB88320), bit by bit.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>Feeds a stream to a fresh <see cref="AwsEventStreamReader"/> in chunks of a given size, as the handler does.</summary>
    public static (UsageAccumulator Usage, bool Malformed) Read(UsageMapping mapping, byte[] body, int chunkSize)
    {
        var usage = new UsageAccumulator();
        var json = new JsonScanner(mapping, usage);
        var reader = new AwsEventStreamReader(json);
        for (var offset = 0; offset < body.Length; offset += chunkSize)
        {
            reader.Write(body.AsSpan(offset, Math.Min(chunkSize, body.Length - offset)));
        }

        reader.Complete();
        json.Release();
        return (usage, reader.Malformed);
    }
}
