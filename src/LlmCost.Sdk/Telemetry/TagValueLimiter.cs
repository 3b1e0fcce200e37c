using System.Collections.Concurrent;

namespace LlmCost.Sdk;

/// <summary>
/// Caps the distinct values of one metric attribute: the first <c>max</c> values seen pass, later ones fold into
/// <c>other</c>. Thread-safe; holds at most <c>max</c> strings.
/// </summary>
internal sealed class TagValueLimiter
{
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly int _max;
    private readonly Lock _gate = new();
    private int _count;
    private int _capReported;

    public TagValueLimiter(string attribute, int max)
    {
        Attribute = attribute;
        _max = max;
    }

    /// <summary>Gets the attribute whose values are capped.</summary>
    public string Attribute { get; }

    /// <summary>Gets the cap.</summary>
    public int Max => _max;

    /// <summary>Returns <paramref name="value"/> while the cap allows it, <c>other</c> afterwards.</summary>
    /// <param name="value">The value.</param>
    /// <param name="capReached">Set to <see langword="true"/> only for the call that first reached the cap.</param>
    public string Limit(string value, out bool capReached)
    {
        capReached = false;
        if (_seen.ContainsKey(value))
        {
            return value;
        }

        if (Volatile.Read(ref _count) < _max)
        {
            // Admitting a new value is rare (at most Max times): a lock makes the cap exact under races, so the
            // first Max distinct values are kept, never more and never fewer.
            lock (_gate)
            {
                if (_seen.ContainsKey(value))
                {
                    return value;
                }

                if (_count < _max)
                {
                    _seen.TryAdd(value, 0);
                    Volatile.Write(ref _count, _count + 1);
                    return value;
                }
            }
        }

        capReached = Interlocked.Exchange(ref _capReported, 1) == 0;
        return SemanticConventions.OtherValue;
    }
}
