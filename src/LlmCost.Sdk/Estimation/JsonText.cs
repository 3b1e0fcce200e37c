using System.Buffers.Text;
using System.Text;

namespace LlmCost.Sdk;

/// <summary>Decodes the raw contents of a JSON string (as captured, escapes undecoded) to UTF-8, tolerating a value cut short.</summary>
internal static class JsonText
{
    /// <summary>
    /// Replaces the escapes of raw JSON string contents by the UTF-8 bytes they stand for, in place (a decoded escape is
    /// never longer than the escape), and returns the decoded part. A lone surrogate becomes U+FFFD; an escape cut off by
    /// the capture's cap is dropped.
    /// </summary>
    public static Span<byte> Unescape(Span<byte> raw)
    {
        var first = raw.IndexOf((byte)'\\');
        if (first < 0)
        {
            return raw;
        }

        var write = first;
        var read = first;
        while (read < raw.Length)
        {
            var b = raw[read];
            if (b != (byte)'\\')
            {
                raw[write++] = b;
                read++;
                continue;
            }

            if (read + 1 >= raw.Length)
            {
                break;
            }

            var e = raw[read + 1];
            if (e != (byte)'u')
            {
                raw[write++] = e switch
                {
                    (byte)'n' => (byte)'\n',
                    (byte)'t' => (byte)'\t',
                    (byte)'r' => (byte)'\r',
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    _ => e, // \" \\ \/
                };
                read += 2;
                continue;
            }

            if (!TryHex(raw, read + 2, out var unit))
            {
                break;
            }

            read += 6;
            var rune = Rune.ReplacementChar;
            if (char.IsHighSurrogate((char)unit))
            {
                if (read + 1 < raw.Length && raw[read] == (byte)'\\' && raw[read + 1] == (byte)'u' && TryHex(raw, read + 2, out var low)
                    && char.IsLowSurrogate((char)low))
                {
                    rune = new Rune((char)unit, (char)low);
                    read += 6;
                }
            }
            else if (!char.IsLowSurrogate((char)unit))
            {
                rune = new Rune(unit);
            }

            write += rune.EncodeToUtf8(raw[write..]);
        }

        return raw[..write];
    }

    private static bool TryHex(Span<byte> raw, int at, out int value)
    {
        value = 0;
        return at + 4 <= raw.Length && Utf8Parser.TryParse(raw.Slice(at, 4), out ushort unit, out var used, 'X') && used == 4 && (value = unit) >= 0;
    }
}
