using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// Reads the AWS event stream (<c>application/vnd.amazon.eventstream</c>, Bedrock's ConverseStream and
/// InvokeModelWithResponseStream) incrementally, in any chunking, and hands the JSON payload of each event to a
/// <see cref="JsonScanner"/>.
/// </summary>
/// <remarks>
/// <para>A message is a 12-byte prelude (total length and headers length, big-endian <c>uint32</c>, then the CRC-32 of
/// those 8 bytes), the headers, the payload and the CRC-32 of everything before it. Both CRCs are checked (CRC-32/IEEE,
/// <see cref="Crc32"/>, streamed as the bytes arrive). A bad CRC or an impossible length marks the stream
/// <see cref="Malformed"/> and reading stops; nothing here throws.</para>
/// <para>Only messages whose <c>:message-type</c> is <c>event</c> are read: their payload is the event's JSON (ConverseStream's
/// <c>metadata</c> event is <c>{"metrics":…,"usage":…}</c>, not wrapped in the event name). A <c>chunk</c> event
/// (InvokeModelWithResponseStream) is <c>{"bytes":"&lt;base64&gt;"}</c>: the base64 is decoded in place and the model's
/// own JSON inside is read. <c>exception</c> and <c>error</c> messages carry no usage and are skipped.</para>
/// <para>Memory is constant: a message's headers and payload are kept (in a pooled buffer rented for that message and
/// returned when it is read) only until its CRC is checked, and only up to <see cref="MaxBufferedMessage"/> bytes;
/// longer messages are CRC-checked as they stream by and skipped.</para>
/// </remarks>
internal sealed class AwsEventStreamReader : IUsageReader
{
    /// <summary>The most bytes of headers and payload kept for one message; longer messages are checked and skipped.</summary>
    public const int MaxBufferedMessage = 64 * 1024;

    private const int PreludeLength = 12;
    private const int CrcLength = 4;
    private const int MaxHeadersLength = 128 * 1024;        // the format's limits
    private const int MaxPayloadLength = 16 * 1024 * 1024;

    private readonly JsonScanner _json;
    private readonly Crc32 _crc = new();
    private Stage _stage;
    private FrameBytes _frame;   // the prelude, then the message CRC
    private int _have;           // bytes of the current stage received so far
    private int _bodyLength;     // headers + payload
    private int _headersLength;
    private byte[]? _body;       // rented for one message when it fits, else null (skipped)

    public AwsEventStreamReader(JsonScanner json) => _json = json;

    private enum Stage : byte
    {
        Prelude,
        Body,
        MessageCrc,
        Failed,
    }

    /// <summary>Gets a value indicating whether a CRC or length was wrong, the stream ended inside a message, or an event's JSON could not be read.</summary>
    public bool Malformed { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            switch (_stage)
            {
                case Stage.Prelude:
                    data = Collect(data, PreludeLength);
                    if (_have == PreludeLength)
                    {
                        BeginMessage();
                    }

                    break;
                case Stage.Body:
                {
                    var take = Math.Min(_bodyLength - _have, data.Length);
                    var part = data[..take];
                    _crc.Append(part);
                    if (_body is not null)
                    {
                        part.CopyTo(_body.AsSpan(_have));
                    }

                    _have += take;
                    data = data[take..];
                    if (_have == _bodyLength)
                    {
                        _have = 0;
                        _stage = Stage.MessageCrc;
                    }

                    break;
                }

                case Stage.MessageCrc:
                    data = Collect(data, CrcLength);
                    if (_have == CrcLength)
                    {
                        EndMessage();
                    }

                    break;
                default:
                    return;
            }
        }
    }

    /// <summary>The body ended: a message cut short is malformed.</summary>
    public void Complete()
    {
        if (_stage != Stage.Failed && (_stage != Stage.Prelude || _have > 0))
        {
            Fail();
        }
    }

    /// <summary>Copies bytes of a fixed-size part (prelude or CRC) until it has <paramref name="length"/> of them.</summary>
    private ReadOnlySpan<byte> Collect(ReadOnlySpan<byte> data, int length)
    {
        var take = Math.Min(length - _have, data.Length);
        data[..take].CopyTo(((Span<byte>)_frame)[_have..]);
        _have += take;
        return data[take..];
    }

    private void BeginMessage()
    {
        ReadOnlySpan<byte> prelude = ((ReadOnlySpan<byte>)_frame)[..PreludeLength];
        var totalLength = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(prelude[4..]);
        if (Crc32.HashToUInt32(prelude[..8]) != BinaryPrimitives.ReadUInt32BigEndian(prelude[8..])
            || totalLength < PreludeLength + CrcLength
            || headersLength > MaxHeadersLength
            || totalLength - PreludeLength - CrcLength < headersLength
            || totalLength - PreludeLength - CrcLength - headersLength > MaxPayloadLength)
        {
            Fail();
            return;
        }

        _crc.Reset();
        _crc.Append(prelude);
        _headersLength = (int)headersLength;
        _bodyLength = (int)(totalLength - PreludeLength - CrcLength);
        _body = _bodyLength is > 0 and <= MaxBufferedMessage ? ArrayPool<byte>.Shared.Rent(_bodyLength) : null;
        _have = 0;
        _stage = _bodyLength == 0 ? Stage.MessageCrc : Stage.Body;
    }

    private void EndMessage()
    {
        var body = _body;
        _body = null;
        try
        {
            if (_crc.GetCurrentHashAsUInt32() != BinaryPrimitives.ReadUInt32BigEndian(_frame))
            {
                Fail();
                return;
            }

            _have = 0;
            _stage = Stage.Prelude;
            if (body is not null)
            {
                Dispatch(body.AsSpan(0, _bodyLength));
            }
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    /// <summary>Reads a checked message: its headers, then the JSON of an event.</summary>
    private void Dispatch(Span<byte> message)
    {
        if (!TryReadHeaders(message[.._headersLength], out var messageType, out var eventType))
        {
            Fail();
            return;
        }

        var payload = message[_headersLength..];
        if (messageType != MessageType.Event || payload.IsEmpty)
        {
            return; // exceptions and errors are not usage
        }

        if (eventType == EventType.Chunk)
        {
            if (!TryDecodeChunk(payload, out payload))
            {
                Malformed = true;
                return;
            }
        }

        _json.Reset();
        _json.Write(payload);
        _json.Complete();
        Malformed |= _json.Malformed;
    }

    /// <summary>Walks the headers (name length, name, type, value) and picks out <c>:message-type</c> and <c>:event-type</c>.</summary>
    private static bool TryReadHeaders(ReadOnlySpan<byte> headers, out MessageType messageType, out EventType eventType)
    {
        messageType = MessageType.None;
        eventType = EventType.Other;
        while (!headers.IsEmpty)
        {
            int nameLength = headers[0];
            if (headers.Length < 1 + nameLength + 1)
            {
                return false;
            }

            var name = headers.Slice(1, nameLength);
            var type = headers[1 + nameLength];
            headers = headers[(2 + nameLength)..];
            int valueLength;
            switch (type)
            {
                case 0 or 1: valueLength = 0; break;   // bool true, false
                case 2: valueLength = 1; break;        // byte
                case 3: valueLength = 2; break;        // short
                case 4: valueLength = 4; break;        // int
                case 5 or 8: valueLength = 8; break;   // long, timestamp
                case 9: valueLength = 16; break;       // uuid
                case 6 or 7:                           // bytes, string: u16 length first
                    if (headers.Length < 2)
                    {
                        return false;
                    }

                    valueLength = BinaryPrimitives.ReadUInt16BigEndian(headers);
                    headers = headers[2..];
                    break;
                default:
                    return false;
            }

            if (headers.Length < valueLength)
            {
                return false;
            }

            var value = headers[..valueLength];
            headers = headers[valueLength..];
            if (type != 7)
            {
                continue;
            }

            if (name.SequenceEqual(":message-type"u8))
            {
                messageType = value.SequenceEqual("event"u8) ? MessageType.Event : MessageType.Other;
            }
            else if (name.SequenceEqual(":event-type"u8))
            {
                eventType = value.SequenceEqual("chunk"u8) ? EventType.Chunk : EventType.Other;
            }
        }

        return true;
    }

    /// <summary>
    /// Finds the top-level <c>bytes</c> string of a <c>chunk</c> payload (a whole JSON object) and decodes its base64 in
    /// place; the decoded bytes (the model's JSON) are returned as a slice of the same buffer.
    /// </summary>
    private static bool TryDecodeChunk(Span<byte> payload, out Span<byte> decoded)
    {
        decoded = default;
        int start = -1, length = 0;
        var escaped = false;
        try
        {
            var reader = new Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isBytes = reader.ValueTextEquals("bytes"u8);
                if (!reader.Read())
                {
                    return false;
                }

                if (isBytes && reader.TokenType == JsonTokenType.String)
                {
                    // The string's bytes sit right after its opening quote in the payload.
                    start = (int)reader.TokenStartIndex + 1;
                    length = reader.ValueSpan.Length;
                    escaped = reader.ValueIsEscaped;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || start < 0)
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        var base64 = payload.Slice(start, length);
        if (escaped)
        {
            var unescaped = UnescapeSolidus(base64);
            if (unescaped < 0)
            {
                return false;
            }

            base64 = base64[..unescaped];
        }

        if (Base64.DecodeFromUtf8InPlace(base64, out var written) != OperationStatus.Done)
        {
            return false;
        }

        decoded = base64[..written];
        return true;
    }

    /// <summary>
    /// Base64 has no character JSON must escape, but a serializer may write <c>/</c> as <c>\/</c>: undoes that in place.
    /// Returns the new length, or -1 for any other escape (which base64 cannot contain).
    /// </summary>
    private static int UnescapeSolidus(Span<byte> text)
    {
        var written = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == (byte)'\\')
            {
                if (i + 1 >= text.Length || text[i + 1] != (byte)'/')
                {
                    return -1;
                }

                i++;
            }

            text[written++] = text[i];
        }

        return written;
    }

    private void Fail()
    {
        Malformed = true;
        _stage = Stage.Failed;
        if (_body is { } body)
        {
            _body = null;
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private enum MessageType : byte
    {
        None,
        Event,
        Other,
    }

    private enum EventType : byte
    {
        Other,
        Chunk,
    }

    [InlineArray(PreludeLength)]
    private struct FrameBytes
    {
        private byte _element;
    }
}
