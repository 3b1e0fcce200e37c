using System.Buffers;
using System.Runtime.CompilerServices;

namespace LlmCost.Sdk;

/// <summary>
/// The text of one side of one call (the request, or the streamed response), kept only so its tokens can be estimated
/// when the provider reports no usage: the raw bytes of the JSON strings that <see cref="TextFields"/> names as text,
/// copied as they pass through (escapes still undecoded), into a pooled buffer with a hard cap.
/// </summary>
/// <remarks>
/// <para>Memory is constant per call: the buffer is rented from a pool at the first text byte,
/// grows by doubling from 1 KiB, and never passes <see cref="MaxBytes"/> (64 KiB). Text beyond the cap is not kept but
/// counted in <see cref="OverflowBytes"/>, and the estimate is scaled up by the same ratio
/// (tokens × (kept + overflow) ÷ kept), which assumes the text past the cap tokenizes like the text before it.</para>
/// <para>In the request, values are separated by a NUL byte (which cannot occur raw inside a JSON string), so each message
/// is tokenized on its own. Not thread-safe: one call's bytes are read by one reader at a time; the estimator takes it over
/// when the call ends. The text is never stored or logged: it lives only until it is tokenized.</para>
/// </remarks>
internal sealed class TextCapture
{
    /// <summary>The most bytes kept for one side of one call.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Separates the values of a request.</summary>
    public const byte Separator = 0;

    private const int InitialBytes = 1024;

    /// <summary>
    /// The buffers' pool: shared by every thread (the app's threads rent, the estimator's returns), bounded to 32 buffers
    /// of each size (1–64 KiB), so at most about 4 MiB is kept idle. A thread-local pool would miss whenever the reading
    /// thread is not the returning one; a rent past the bound allocates, and the extra buffer is collected.
    /// </summary>
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(MaxBytes, 32);

    private readonly bool _separateValues;
    private byte[]? _buffer;
    private int _length;
    private int _separators;

    public TextCapture(TextFields fields, bool separateValues, bool raw = false)
    {
        Fields = fields;
        _separateValues = separateValues;
        Raw = raw;
    }

    public TextFields Fields { get; }

    /// <summary>
    /// The last key of each enclosing object, by container depth, kept by the <see cref="JsonScanner"/> that fills this
    /// capture (here rather than in the scanner, so that scanners without a capture stay small).
    /// </summary>
#pragma warning disable SA1401 // a field: the scanner indexes it in place
    public KeyStack Keys;
#pragma warning restore SA1401

    /// <summary>
    /// Gets a value indicating whether this capture holds a stream's raw event data (JSON documents, one per line) rather
    /// than text strings: on the app's read it costs one copy per event, and the text is picked out by the estimator.
    /// </summary>
    public bool Raw { get; }

    /// <summary>Gets the number of messages seen: each <c>role</c>, and each top-level message-like string.</summary>
    public int Messages { get; private set; }

    /// <summary>Gets the number of text values captured.</summary>
    public int Values { get; private set; }

    /// <summary>Gets the number of text bytes that did not fit under the cap.</summary>
    public long OverflowBytes { get; private set; }

    /// <summary>Gets the text bytes kept, not counting separators.</summary>
    public int KeptBytes => _length - _separators;

    /// <summary>Gets the bytes kept: raw JSON string contents, with separators between request values.</summary>
    public Span<byte> Kept => _buffer.AsSpan(0, _length);

    /// <summary>Decides whether the string about to be read is text, and counts messages. Returns whether to capture it.</summary>
    public bool BeginValue(ulong key, ulong owner, int objectDepth)
    {
        switch (Fields.Classify(key, owner, objectDepth))
        {
            case TextKind.Role:
                Messages++;
                return false;
            case TextKind.Message:
                Messages++;
                break;
            case TextKind.Text:
                break;
            default:
                return false;
        }

        if (_separateValues && Values > 0)
        {
            if (_length < MaxBytes)
            {
                Append([Separator]);
                _separators++;
            }
        }

        Values++;
        return true;
    }

    /// <summary>Copies text bytes; past the cap only their number is kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(ReadOnlySpan<byte> bytes)
    {
        var buffer = _buffer;
        if (buffer is not null && bytes.Length <= buffer.Length - _length)
        {
            bytes.CopyTo(buffer.AsSpan(_length));
            _length += bytes.Length;
            return;
        }

        AppendSlow(bytes);
    }

    /// <summary>Returns the buffer to the pool; the capture must not be used afterwards.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = null;
        _length = 0;
        if (buffer is not null)
        {
            Pool.Return(buffer);
        }
    }

    private void AppendSlow(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        var needed = _length + bytes.Length;
        if (_buffer is null || (needed > _buffer.Length && _buffer.Length < MaxBytes))
        {
            var size = Math.Max(_buffer?.Length * 2 ?? InitialBytes, InitialBytes);
            while (size < needed && size < MaxBytes)
            {
                size *= 2;
            }

            var grown = Pool.Rent(Math.Min(size, MaxBytes));
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _length).CopyTo(grown);
                Pool.Return(_buffer);
            }

            _buffer = grown;
        }

        var room = Math.Min(_buffer.Length, MaxBytes) - _length;
        var kept = Math.Min(room, bytes.Length);
        bytes[..kept].CopyTo(_buffer.AsSpan(_length));
        _length += kept;
        OverflowBytes += bytes.Length - kept;
    }

    /// <summary>A fixed stack of key hashes, one per container depth up to <see cref="JsonScanner.MaxTextDepth"/>.</summary>
    [InlineArray(JsonScanner.MaxTextDepth)]
    public struct KeyStack
    {
        private ulong _element;
    }
}
