using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace LlmCost.Sdk;

/// <summary>
/// The custom tags of an <see cref="LlmCostTags"/>: a dictionary with ordinal keys that is also an
/// <see cref="IReadOnlyDictionary{TKey, TValue}"/>, and that throws <see cref="InvalidOperationException"/> on any change once
/// its owner is read-only. Read-only instances are shared between tags (a merge that adds no custom tag reuses one).
/// </summary>
internal sealed class LlmCostCustomTags : IDictionary<string, string>, IReadOnlyDictionary<string, string>
{
    /// <summary>Gets the read-only instance with no tags, shared by every read-only <see cref="LlmCostTags"/> without custom tags.</summary>
    public static readonly LlmCostCustomTags Empty = new(map: null, readOnly: true);

    // Enumerated in place of a missing map so enumeration never allocates; never changed.
    private static readonly Dictionary<string, string> None = new(StringComparer.Ordinal);

    private Dictionary<string, string>? _map;
    private volatile bool _readOnly;

    /// <summary>Initializes a new, mutable, empty instance.</summary>
    public LlmCostCustomTags()
    {
    }

    /// <summary>Initializes a new, mutable copy of <paramref name="source"/>.</summary>
    public LlmCostCustomTags(LlmCostCustomTags source)
    {
        if (source.Count > 0)
        {
            _map = new Dictionary<string, string>(source._map!, StringComparer.Ordinal);
        }
    }

    private LlmCostCustomTags(Dictionary<string, string>? map, bool readOnly)
    {
        _map = map;
        _readOnly = readOnly;
    }

    /// <inheritdoc cref="ICollection{T}.Count" />
    public int Count => _map?.Count ?? 0;

    /// <summary>Gets a value indicating whether changes throw <see cref="InvalidOperationException"/>.</summary>
    public bool IsReadOnly => _readOnly;

    /// <inheritdoc />
    public ICollection<string> Keys => (_map ?? None).Keys;

    /// <inheritdoc />
    public ICollection<string> Values => (_map ?? None).Values;

    IEnumerable<string> IReadOnlyDictionary<string, string>.Keys => Keys;

    IEnumerable<string> IReadOnlyDictionary<string, string>.Values => Values;

    /// <inheritdoc cref="IDictionary{TKey, TValue}.this[TKey]" />
    public string this[string key]
    {
        get => (_map ?? None)[key];
        set => Writable()[key] = value;
    }

    /// <summary>Creates a read-only instance that owns <paramref name="map"/> (ordinal keys; the caller drops it).</summary>
    public static LlmCostCustomTags ReadOnly(Dictionary<string, string> map) => new(map, readOnly: true);

    /// <summary>Creates a read-only copy of <paramref name="source"/>, or returns it when it is read-only already.</summary>
    public static LlmCostCustomTags ReadOnlyCopy(LlmCostCustomTags source) => source._readOnly
        ? source
        : source.Count == 0 ? Empty : new(new Dictionary<string, string>(source._map!, StringComparer.Ordinal), readOnly: true);

    /// <summary>Gets whether two (possibly missing) custom-tag sets hold the same pairs.</summary>
    public static bool ContentEquals(LlmCostCustomTags? left, LlmCostCustomTags? right)
    {
        var count = left?.Count ?? 0;
        if (count != (right?.Count ?? 0))
        {
            return false;
        }

        if (count == 0 || ReferenceEquals(left, right))
        {
            return true;
        }

        foreach (var (key, value) in left!._map!)
        {
            if (!right!._map!.TryGetValue(key, out var other) || !string.Equals(value, other, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Gets a hash of the pairs that does not depend on their order.</summary>
    public static int ContentHashCode(LlmCostCustomTags? tags)
    {
        if (tags is not { Count: > 0 })
        {
            return 0;
        }

        var hash = 0;
        foreach (var (key, value) in tags._map!)
        {
            hash += HashCode.Combine(key, value);
        }

        return HashCode.Combine(tags.Count, hash);
    }

    /// <summary>Makes this instance read-only; calling it again does nothing.</summary>
    public void MakeReadOnly() => _readOnly = true;

    /// <summary>Gets an enumerator that does not allocate.</summary>
    /// <returns>The enumerator.</returns>
    public Dictionary<string, string>.Enumerator GetEnumerator() => (_map ?? None).GetEnumerator();

    /// <inheritdoc />
    public void Add(string key, string value) => Writable().Add(key, value);

    /// <inheritdoc />
    public bool ContainsKey(string key) => _map is not null && _map.ContainsKey(key);

    /// <inheritdoc />
    public bool Remove(string key) => Writable().Remove(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (_map is null)
        {
            ArgumentNullException.ThrowIfNull(key);
            value = null;
            return false;
        }

        return _map.TryGetValue(key, out value);
    }

    /// <inheritdoc />
    public void Clear()
    {
        if (_readOnly)
        {
            LlmCostTags.ThrowReadOnly();
        }

        _map?.Clear();
    }

    void ICollection<KeyValuePair<string, string>>.Add(KeyValuePair<string, string> item) => Add(item.Key, item.Value);

    bool ICollection<KeyValuePair<string, string>>.Contains(KeyValuePair<string, string> item) =>
        TryGetValue(item.Key, out var value) && string.Equals(value, item.Value, StringComparison.Ordinal);

    void ICollection<KeyValuePair<string, string>>.CopyTo(KeyValuePair<string, string>[] array, int arrayIndex) =>
        ((ICollection<KeyValuePair<string, string>>)(_map ?? None)).CopyTo(array, arrayIndex);

    bool ICollection<KeyValuePair<string, string>>.Remove(KeyValuePair<string, string> item) =>
        ((ICollection<KeyValuePair<string, string>>)Writable()).Remove(item);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private Dictionary<string, string> Writable()
    {
        if (_readOnly)
        {
            LlmCostTags.ThrowReadOnly();
        }

        return _map ??= new Dictionary<string, string>(StringComparer.Ordinal);
    }
}
