using System.Buffers;
using System.Runtime.CompilerServices;

namespace LlmCost.Sdk;

/// <summary>
/// An incremental, push-based JSON scanner with constant memory: bytes go in chunk by chunk as they arrive,
/// and the scalars a <see cref="UsageMapping"/> asks for come out with their <see cref="JsonPath"/>.
/// </summary>
/// <remarks>
/// It never buffers the document: property names are hashed as they stream by, strings nobody asked for are
/// skipped with a vectorized search, and a wanted scalar is kept up to <see cref="MaxValueLength"/> bytes.
/// It validates only as much as it needs; on bytes that cannot be JSON it stops and reports <see cref="Malformed"/>.
/// Several top-level values in a row (SSE events) are scanned one after the other, and so are the elements of a
/// top-level array (a JSON array of streamed chunks).
/// <para>It reads usage only: text for token estimation is captured as raw bytes by the call's observation and picked
/// out by the estimator, off the request path.</para>
/// </remarks>
internal sealed class JsonScanner : IUsageReader
{
    public const int MaxValueLength = 128;

    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create("\"\\"u8);
    private static readonly SearchValues<byte> ScalarEnds = SearchValues.Create(" \t\r\n,}]"u8);
    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\r\n"u8);

    private UsageMapping _mapping;
    private byte[]? _value;
    private UsageAccumulator _usage;

    private JsonPath _path;
    private State _state;
    private int _depth;           // all containers, named or not
    private ulong _arrayMask;     // bit i set: container i is an array
    private bool _expectKey;
    private bool _inTopLevelArray;
    private bool _keyNamed;
    private bool _readsArrays;    // the mapping reads values inside array elements (UsageMapping.ReadsArrayElements)
    private bool _capture;
    private int _valueLength;
    private bool _valueTruncated;
    private ulong _keyHash;
    private bool _hashKey;
    private bool _incomplete;
    private int _setsAtStart;
    private Expect _expect; // inside a container: a ':' after a key, a ',' or a close after a value

    public JsonScanner(UsageMapping mapping, UsageAccumulator usage)
    {
        _mapping = mapping;
        _readsArrays = mapping.ReadsArrayElements;
        _usage = usage;
        _setsAtStart = usage.Sets;
    }

    /// <summary>The punctuation the grammar demands next inside a container (a cheap check: broken JSON never yields usage).</summary>
    private enum Expect : byte
    {
        Anything,
        Colon,
        Separator,
    }

    private enum State : byte
    {
        Between,
        InKey,
        InKeyEscape,
        InString,
        InStringEscape,
        InScalar,
        Failed,
    }

    /// <summary>
    /// Gets a value indicating whether the response has already named its model and nothing but usage is wanted from
    /// the rest: events without usage can then be skipped unread.
    /// </summary>
    public bool HasModel => _usage.Model is not null;

    /// <summary>Gets the mapping the scanner reads with.</summary>
    public UsageMapping Mapping => _mapping;

    /// <summary>The body turned out to be one JSON document, not a stream: any whole document with usage is final.</summary>
    public void ReadAsOneDocument() => _usage.RequiresFinalMarker = false;

    /// <summary>
    /// Gets a value indicating whether the bytes so far cannot be JSON, a document ended before it was complete, or the
    /// usage read could not be read completely (<see cref="UsageAccumulator.Unreliable"/>).
    /// </summary>
    public bool Malformed => _state == State.Failed || _incomplete || _usage.Unreliable;

    /// <summary>Forgets all state, ready for a new document (a new SSE event).</summary>
    public void Reset()
    {
        _state = State.Between;
        _depth = 0;
        _arrayMask = 0;
        _expectKey = false;
        _inTopLevelArray = false;
        _capture = false;
        _path = default;
        _usage.ClearPendingModality();
        _usage.ClearPendingFinal();
        _setsAtStart = _usage.Sets;
        _expect = Expect.Anything;
    }

    /// <summary>
    /// Starts a new document read with another mapping, keeping the pooled value buffer: one scanner reads a call's
    /// request body (for its model) and then its response (for usage).
    /// </summary>
    public JsonScanner Restart(UsageMapping mapping)
    {
        _mapping = mapping;
        _readsArrays = mapping.ReadsArrayElements;
        _incomplete = false;
        Reset();
        return this;
    }

    /// <summary>
    /// Makes a released scanner read another call's bytes into <paramref name="usage"/>, as a new instance would (the
    /// tracker reuses one per pump: see <see cref="HttpCallTracker.RentScanner"/>).
    /// </summary>
    public JsonScanner Rebind(UsageMapping mapping, UsageAccumulator usage)
    {
        _usage = usage;
        _keyNamed = false;
        _valueLength = 0;
        _valueTruncated = false;
        _keyHash = 0;
        _hashKey = false;
        return Restart(mapping);
    }

    /// <summary>Returns the pooled value buffer; the scanner must not be used afterwards (unless <see cref="Rebind"/> makes it new).</summary>
    public void Release()
    {
        var value = _value;
        _value = null;
        _state = State.Failed;
        if (value is not null)
        {
            ArrayPool<byte>.Shared.Return(value);
        }
    }

    /// <summary>Scans the next chunk of the document.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.Between:
                    i = ScanStructure(data, i);
                    break;
                case State.InKey:
                    i = ScanKey(data, i);
                    break;
                case State.InKeyEscape:
                    _keyHash = JsonPath.HashStep(_keyHash, data[i++]);
                    _state = State.InKey;
                    break;
                case State.InString:
                    i = ScanString(data, i);
                    break;
                case State.InStringEscape:
                    Append(data.Slice(i, 1));
                    i++;
                    _state = State.InString;
                    break;
                case State.InScalar:
                    i = ScanScalar(data, i);
                    break;
                default:
                    return;
            }
        }

        if (_state == State.Failed && _usage.Sets != _setsAtStart)
        {
            // The document that carried these counts turned out not to be JSON: what was read of it cannot be trusted.
            _usage.MarkUnreliable();
        }
    }

    /// <summary>
    /// Ends the document: a number at the very end has no delimiter after it. A document that ends inside an object, an
    /// array, a key or a string was cut short: the scanner reports it <see cref="Malformed"/>, and usage read from it is
    /// <see cref="UsageAccumulator.Unreliable"/> (a count may be missing or cut: <c>"prompt_tokens":12</c> of <c>1234</c>).
    /// </summary>
    public void Complete()
    {
        if (_state == State.InScalar)
        {
            var inside = _depth > 0;
            if (!inside)
            {
                EndScalar(JsonScalarKind.Number);
            }

            _state = inside ? State.InScalar : State.Between;
        }

        if (_state != State.Failed && (_depth > 0 || _inTopLevelArray || _state != State.Between))
        {
            _incomplete = true;
            if (_usage.HasUsage)
            {
                _usage.MarkUnreliable();
            }
        }
    }

    private int ScanStructure(ReadOnlySpan<byte> data, int i)
    {
        for (; i < data.Length; i++)
        {
            var b = data[i];
            if (_expect != Expect.Anything && !IsPunctuationExpected(b))
            {
                _state = State.Failed;
                return data.Length;
            }

            switch (b)
            {
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                {
                    // Pretty-printed responses are mostly indentation: skip a run at once.
                    var run = data[(i + 1)..].IndexOfAnyExcept(Whitespace);
                    i = run < 0 ? data.Length - 1 : i + run;
                    continue;
                }
                case (byte)'{':
                    _expect = Expect.Anything;
                    Push(isArray: false);
                    _expectKey = true;
                    continue;
                case (byte)'[':
                    if (_depth == 0 && !_inTopLevelArray)
                    {
                        // A top-level array is a stream of documents (Gemini's streamGenerateContent without alt=sse):
                        // each element is read as if it stood alone, so its paths are named.
                        _inTopLevelArray = true;
                        continue;
                    }

                    _expect = Expect.Anything;
                    Push(isArray: true);
                    _expectKey = false;
                    continue;
                case (byte)'}' or (byte)']':
                    if (_depth == 0 && b == (byte)']' && _inTopLevelArray)
                    {
                        _inTopLevelArray = false;
                        _expect = Expect.Anything;
                        continue;
                    }

                    if (_depth == 0)
                    {
                        _state = State.Failed;
                        return data.Length;
                    }

                    if (_readsArrays && b == (byte)'}' && _depth >= 2 && _depth <= 64 && (_arrayMask & (1UL << (_depth - 2))) != 0)
                    {
                        _mapping.OnElementEnd(_usage);
                    }

                    _depth--;
                    _expectKey = false;
                    _expect = _depth > 0 || _inTopLevelArray ? Expect.Separator : Expect.Anything;
                    if (_depth == 0)
                    {
                        _usage.EndDocument(); // a whole document (an event, an array element): a final report in it counts
                    }

                    continue;
                case (byte)',':
                    if (_expect != Expect.Separator)
                    {
                        _state = State.Failed; // a comma that follows no value
                        return data.Length;
                    }

                    _expect = Expect.Anything;
                    _expectKey = _depth > 0 && (_arrayMask & (1UL << Math.Min(_depth - 1, 63))) == 0;
                    continue;
                case (byte)':':
                    if (_expect != Expect.Colon)
                    {
                        _state = State.Failed; // a colon that follows no key
                        return data.Length;
                    }

                    _expectKey = false;
                    _expect = Expect.Anything;
                    continue;
                case (byte)'"':
                    if (_expectKey)
                    {
                        // Only keys on a path the mapping can match are hashed: not inside arrays, not below its depth.
                        _keyNamed = _depth <= _mapping.MaxDepth && (_readsArrays || (_arrayMask & ((1UL << _depth) - 1)) == 0);
                        _hashKey = _keyNamed;
                        _keyHash = JsonPath.HashSeed;
                        _state = State.InKey;
                    }
                    else
                    {
                        BeginValue();
                        _state = State.InString;
                    }

                    return i + 1;
                case (byte)'-' or (>= (byte)'0' and <= (byte)'9') or (byte)'t' or (byte)'f' or (byte)'n':
                    if (_expectKey)
                    {
                        _state = State.Failed;
                        return data.Length;
                    }

                    BeginValue();
                    _state = State.InScalar;
                    return i;
                default:
                    _state = State.Failed;
                    return data.Length;
            }
        }

        return i;
    }

    private int ScanKey(ReadOnlySpan<byte> data, int i)
    {
        var rest = data[i..];
        var stop = rest.IndexOfAny(StringSpecials);
        if (_hashKey)
        {
            var hash = _keyHash;
            foreach (var b in stop < 0 ? rest : rest[..stop])
            {
                hash = JsonPath.HashStep(hash, b);
            }

            _keyHash = hash;
        }

        if (stop < 0)
        {
            return data.Length;
        }

        if (rest[stop] == (byte)'\\')
        {
            _keyHash = JsonPath.HashStep(_keyHash, (byte)'\\');
            _state = State.InKeyEscape;
        }
        else
        {
            // The key names the value that follows: record it for the innermost object.
            if (_keyNamed)
            {
                _path.Set(_depth - 1, _keyHash);
            }

            _state = State.Between;
            _expect = Expect.Colon;
        }

        return i + stop + 1;
    }

    private int ScanString(ReadOnlySpan<byte> data, int i)
    {
        var rest = data[i..];
        var stop = rest.IndexOfAny(StringSpecials);
        if (stop < 0)
        {
            Append(rest);
            return data.Length;
        }

        Append(rest[..stop]);
        if (rest[stop] == (byte)'\\')
        {
            Append(rest.Slice(stop, 1));
            _state = State.InStringEscape;
        }
        else
        {
            EndScalar(JsonScalarKind.String);
            _state = State.Between;
        }

        return i + stop + 1;
    }

    private int ScanScalar(ReadOnlySpan<byte> data, int i)
    {
        var rest = data[i..];
        var stop = rest.IndexOfAny(ScalarEnds);
        if (stop < 0)
        {
            Append(rest);
            return data.Length;
        }

        Append(rest[..stop]);
        var first = _valueLength > 0 ? _value![0] : (byte)'0';
        EndScalar(first is (byte)'t' or (byte)'f' or (byte)'n' ? JsonScalarKind.Literal : JsonScalarKind.Number);
        _state = State.Between;
        return i + stop; // the delimiter is structure
    }

    private void Push(bool isArray)
    {
        if (_depth < 64)
        {
            if (isArray)
            {
                _arrayMask |= 1UL << _depth;
                if (_depth < JsonPath.MaxDepth)
                {
                    _path.Set(_depth, JsonPath.ArrayElement);
                }
            }
            else
            {
                _arrayMask &= ~(1UL << _depth);
            }
        }

        _depth++;
    }

    private void BeginValue()
    {
        // The path of a value: the names of all enclosing objects; any array or deep nesting makes it unnamed.
        var depth = _depth;
        _path.Depth = Math.Min(depth, JsonPath.MaxDepth);
        _path.Unnamed = depth > JsonPath.MaxDepth || depth == 0
            || (!_readsArrays && (_arrayMask & ((depth >= 64 ? ulong.MaxValue : (1UL << depth) - 1))) != 0);
        _capture = !_path.Unnamed && _mapping.Wants(in _path);
        _valueLength = 0;
        _valueTruncated = false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_capture || _state == State.InScalar)
        {
            AppendSlow(bytes);
        }
    }

    private void AppendSlow(ReadOnlySpan<byte> bytes)
    {
        var room = MaxValueLength - _valueLength;
        if (bytes.Length > room)
        {
            _valueTruncated = true;
            bytes = bytes[..room];
        }

        _value ??= ArrayPool<byte>.Shared.Rent(MaxValueLength);
        bytes.CopyTo(_value.AsSpan(_valueLength));
        _valueLength += bytes.Length;
    }

    private void EndScalar(JsonScalarKind kind)
    {
        if (_capture && !_valueTruncated)
        {
            _mapping.OnValue(in _path, kind, _value.AsSpan(0, _valueLength), _usage);
        }

        _capture = false;
        _expectKey = false;
        _expect = _depth > 0 || _inTopLevelArray ? Expect.Separator : Expect.Anything;
    }

    private bool IsPunctuationExpected(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'
        || (_expect == Expect.Colon ? b == (byte)':' : b is (byte)',' or (byte)'}' or (byte)']');
}
