using System.Collections.Concurrent;
using System.Text;

namespace LlmCost.Sdk;

/// <summary>
/// One string per model id the responses name that the price table does not know verbatim (a dated snapshot such as
/// <c>gpt-4o-2024-08-06</c>), so a call does not allocate the same id again and again. Bounded: past
/// <see cref="MaxEntries"/> distinct ids, new ones are allocated per call as before (a provider does not serve that many).
/// </summary>
internal static class ModelIdCache
{
    public const int MaxEntries = 1024;
    private const int MaxLength = 128;

    private static readonly ConcurrentDictionary<string, string> Ids = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByChars =
        Ids.GetAlternateLookup<ReadOnlySpan<char>>();

    private static int s_count; // ConcurrentDictionary.Count takes every lock: kept apart, approximate by at most a race

    /// <summary>Returns the cached string for a UTF-8 model id, adding it while there is room.</summary>
    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxLength];
        if (System.Text.Ascii.ToUtf16(utf8, chars, out var written) != System.Buffers.OperationStatus.Done)
        {
            return Encoding.UTF8.GetString(utf8); // not ASCII: not a model id worth keeping
        }

        var span = chars[..written];
        if (ByChars.TryGetValue(span, out var id))
        {
            return id;
        }

        id = new string(span);
        if (Volatile.Read(ref s_count) >= MaxEntries)
        {
            return id;
        }

        var kept = Ids.GetOrAdd(id, id);
        if (ReferenceEquals(kept, id))
        {
            Interlocked.Increment(ref s_count);
        }

        return kept;
    }
}
