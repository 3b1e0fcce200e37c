namespace LlmCost.Sdk;

/// <summary>
/// Reads server-sent events incrementally and hands each event's <c>data</c> to a <see cref="JsonScanner"/>.
/// </summary>
/// <remarks>
/// Follows the WHATWG event-stream grammar: lines end in CR, LF or CRLF; a blank line ends an event;
/// multi-line <c>data</c> is joined with newlines (which JSON treats as white space). Non-JSON data such as
/// OpenAI's <c>[DONE]</c> is skipped. Memory is constant: nothing but a few bytes of field name is kept.
/// </remarks>
internal sealed class SseUsageReader : IUsageReader
{
    private readonly JsonScanner _json;
    private LineState _state = LineState.LineStart;
    private int _fieldLength;
    private bool _fieldIsData = true;
    private bool _lastWasCarriageReturn;
    private bool _eventHasData;
    private bool _skipEventData;
    private bool _malformed;
    private bool _sniffed;
    private bool _jsonBody;

    /// <summary>Initializes a new instance of the <see cref="SseUsageReader"/> class.</summary>
    /// <param name="json">The scanner that reads each event's data.</param>
    public SseUsageReader(JsonScanner json) => _json = json;

    private enum LineState : byte
    {
        LineStart,
        FieldName,
        ValueStart,
        DataValue,
        SkipToLineEnd,
    }

    /// <summary>
    /// Gets a value indicating whether an event's data was not valid JSON (other than <c>[DONE]</c>), the stream ended
    /// inside an event's JSON, or the usage could not be read completely.
    /// </summary>
    public bool Malformed
    {
        get => _malformed || _json.Malformed;
        private set => _malformed = value;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        if (!_sniffed)
        {
            Sniff(data);
        }

        if (_jsonBody)
        {
            _json.Write(data);
            return;
        }

        var i = 0;
        while (i < data.Length)
        {
            var b = data[i];
            if (b is (byte)'\r' or (byte)'\n')
            {
                if (!(b == (byte)'\n' && _lastWasCarriageReturn))
                {
                    EndLine();
                }

                _lastWasCarriageReturn = b == (byte)'\r';
                i++;
                continue;
            }

            _lastWasCarriageReturn = false;
            switch (_state)
            {
                case LineState.LineStart:
                    _fieldLength = 0;
                    _fieldIsData = true;
                    _state = b == (byte)':' ? LineState.SkipToLineEnd : LineState.FieldName;
                    continue; // re-read this byte as part of the field name (or skip the comment)
                case LineState.FieldName:
                    if (b == (byte)':')
                    {
                        _fieldIsData &= _fieldLength == 4;
                        _state = _fieldIsData ? LineState.ValueStart : LineState.SkipToLineEnd;
                    }
                    else
                    {
                        _fieldIsData &= _fieldLength < 4 && "data"u8[_fieldLength] == b;
                        _fieldLength++;
                    }

                    i++;
                    continue;
                case LineState.ValueStart:
                    if (b == (byte)' ')
                    {
                        i++; // one optional space after the colon is not part of the value
                    }

                    _state = LineState.DataValue;
                    continue;
                case LineState.DataValue:
                {
                    var rest = data[i..];
                    var end = rest.IndexOfAny((byte)'\r', (byte)'\n');
                    var value = end < 0 ? rest : rest[..end];
                    if (!_skipEventData)
                    {
                        if (!_eventHasData)
                        {
                            _eventHasData = true;
                            _skipEventData = value[0] == (byte)'[' || CanSkip(value, rest[value.Length..]);
                        }

                        if (!_skipEventData)
                        {
                            _json.Write(value);
                        }
                    }

                    i += value.Length;
                    continue;
                }

                default:
                {
                    var end = data[i..].IndexOfAny((byte)'\r', (byte)'\n');
                    i = end < 0 ? data.Length : i + end;
                    continue;
                }
            }
        }
    }

    /// <summary>Ends the stream: an event not closed by a blank line is still read.</summary>
    public void Complete()
    {
        if (_jsonBody)
        {
            _json.Complete();
            return;
        }

        EndLine();
        EndLine();
    }

    /// <summary>
    /// Looks at the body's first byte that is not white space: a body labelled <c>text/event-stream</c> that starts with
    /// <c>{</c> or <c>[</c> is one JSON document (a proxy or server that mislabels a non-streamed answer), and is read as
    /// such rather than as events, so its usage is not missed.
    /// </summary>
    private void Sniff(ReadOnlySpan<byte> data)
    {
        var start = data.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0)
        {
            return;
        }

        _sniffed = true;
        if (data[start] is (byte)'{' or (byte)'[')
        {
            _jsonBody = true;
            _json.ReadAsOneDocument();
        }
    }

    /// <summary>
    /// Decides from a whole one-line event, with one vectorized search, that it carries nothing to read: the model is
    /// already known and the event has no <c>"usage"</c> (or Gemini's <c>"usageMetadata"</c>) key, nor the mapping's final
    /// event marker (<see cref="UsageMapping.FinalEventBytes"/>) (most chunks of a stream are text deltas). These bytes cannot occur inside a JSON string (its quotes would be escaped), so no usage is ever skipped.
    /// Events split across reads, or of several data lines, are always scanned.
    /// </summary>
    private bool CanSkip(ReadOnlySpan<byte> line, ReadOnlySpan<byte> after)
    {
        if (!_json.HasModel)
        {
            return false;
        }

        var eventEndsHere = after.StartsWith("\n\n"u8) || after.StartsWith("\r\n\r\n"u8) || after.StartsWith("\r\r"u8);
        if (!eventEndsHere || HasUsageObject(line))
        {
            return false;
        }

        // An event that may mark the end of the usage reporting (Anthropic's message_stop) is read, not skipped.
        var marker = _json.Mapping.FinalEventBytes;
        return marker.IsEmpty || line.IndexOf(marker) < 0;
    }

    /// <summary>Whether a line has a <c>"usage"</c> key whose value is not <c>null</c> (OpenAI sends <c>"usage":null</c> in every chunk), or a <c>"usageMetadata"</c> key.</summary>
    private static bool HasUsageObject(ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var at = line.IndexOf("\"usage"u8);
            if (at < 0)
            {
                return false;
            }

            var rest = line[(at + 6)..];
            if (rest.StartsWith("Metadata\""u8))
            {
                return true; // Gemini: every chunk carries the usage so far, the last one the totals
            }

            if (rest.IsEmpty || rest[0] != (byte)'"')
            {
                line = rest;
                continue;
            }

            rest = rest[1..].TrimStart(" \t"u8);
            if (rest.IsEmpty || rest[0] != (byte)':' || !rest[1..].TrimStart(" \t"u8).StartsWith("null"u8))
            {
                return true;
            }

            line = rest;
        }
    }

    private void EndLine()
    {
        if (_state == LineState.LineStart)
        {
            // A blank line: the event is complete.
            if (_eventHasData && !_skipEventData)
            {
                _json.Complete();
                Malformed |= _json.Malformed;
            }

            _json.Reset();
            _eventHasData = false;
            _skipEventData = false;
            return;
        }

        if (_state == LineState.DataValue && _eventHasData)
        {
            if (!_skipEventData)
            {
                _json.Write("\n"u8);
            }
        }

        _state = LineState.LineStart;
    }
}
