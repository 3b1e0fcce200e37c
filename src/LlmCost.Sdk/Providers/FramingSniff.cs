namespace LlmCost.Sdk;

/// <summary>
/// Tells from a body's first bytes whether it is server-sent events, whatever its Content-Type says: a gateway or proxy
/// that relabels a stream as <c>application/json</c> (or drops the label) must not hide its usage. A body whose first
/// byte that is not white space is <c>:</c> (a comment) or that starts with the field name <c>data:</c>, <c>event:</c>,
/// <c>id:</c> or <c>retry:</c> is events; any other body is what its label said (one JSON document).
/// </summary>
/// <remarks>
/// A mutable struct kept inside the call's observation: nothing is allocated and no byte is buffered. A field name split
/// across reads is matched byte by byte; the bytes it matched are the name's own literal, so the reader that is chosen
/// gets them back from <see cref="Matched"/>. Leading white space is dropped (JSON and events both ignore it).
/// </remarks>
internal struct FramingSniff
{
    private const byte Decided = 0;
    private const byte Waiting = 1;   // no byte other than white space yet
    private const byte Matching = 2;  // inside a field name

    private byte _state;
    private byte _field;
    private byte _matched;

    /// <summary>What the first bytes say.</summary>
    internal enum Verdict : byte
    {
        /// <summary>Not enough bytes yet.</summary>
        Undecided,

        /// <summary>One JSON document (or a JSON array of chunks), as labelled.</summary>
        Json,

        /// <summary>Server-sent events.</summary>
        Events,
    }

    /// <summary>Gets a sniff that waits for the body's first bytes.</summary>
    public static FramingSniff Start => new() { _state = Waiting };

    /// <summary>Gets a value indicating whether the framing is still to be decided.</summary>
    public readonly bool Undecided => _state != Decided;

    /// <summary>Gets the bytes of a field name matched before the verdict, which the chosen reader must read first.</summary>
    public readonly ReadOnlySpan<byte> Matched => FieldName(_field)[.._matched];

    /// <summary>Looks at the next bytes; <paramref name="rest"/> is what follows the bytes consumed (all of them while undecided).</summary>
    public Verdict Feed(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> rest)
    {
        var i = 0;
        if (_state == Waiting)
        {
            i = data.IndexOfAnyExcept(" \t\r\n"u8);
            if (i < 0)
            {
                rest = default;
                return Verdict.Undecided;
            }

            var first = data[i];
            if (first == (byte)':')
            {
                return Decide(Verdict.Events, data[i..], out rest);
            }

            _field = first switch
            {
                (byte)'d' => (byte)1,
                (byte)'e' => (byte)2,
                (byte)'i' => (byte)3,
                (byte)'r' => (byte)4,
                _ => (byte)0,
            };
            if (_field == 0)
            {
                return Decide(Verdict.Json, data[i..], out rest);
            }

            _state = Matching;
            _matched = 0;
        }

        var name = FieldName(_field);
        while (i < data.Length)
        {
            if (data[i] != name[_matched])
            {
                return Decide(Verdict.Json, data[i..], out rest);
            }

            _matched++;
            i++;
            if (_matched == name.Length)
            {
                return Decide(Verdict.Events, data[i..], out rest);
            }
        }

        rest = default;
        return Verdict.Undecided;
    }

    /// <summary>The body ended before the first bytes decided: it is read as labelled; returns the bytes matched so far.</summary>
    public ReadOnlySpan<byte> End()
    {
        _state = Decided;
        return Matched;
    }

    private Verdict Decide(Verdict verdict, ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> remaining)
    {
        _state = Decided;
        remaining = rest;
        return verdict;
    }

    private static ReadOnlySpan<byte> FieldName(byte field) => field switch
    {
        1 => "data:"u8,
        2 => "event:"u8,
        3 => "id:"u8,
        4 => "retry:"u8,
        _ => default,
    };
}
