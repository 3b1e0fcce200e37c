using System.Runtime.CompilerServices;

namespace LlmCost.Sdk;

/// <summary>
/// Where a scalar sits in a JSON document: the property names of the objects around it, outermost first,
/// each kept as a 64-bit hash so no name is ever buffered.
/// </summary>
/// <remarks>Only object nesting is named; a value inside an array never matches a path.</remarks>
internal struct JsonPath
{
    public const int MaxDepth = 6; // the deepest path any mapping reads is 4 (response.usage.input_tokens_details.cached_tokens)

    private PathHashes _names;

    /// <summary>Gets or sets the number of enclosing objects (the number of names).</summary>
    public int Depth { get; set; }

    /// <summary>Gets or sets a value indicating whether an array encloses the value, or the nesting is too deep to name.</summary>
    public bool Unnamed { get; set; }

    public readonly ulong this[int index] => _names[index];

    public void Set(int index, ulong hash) => _names[index] = hash;

    public readonly bool Is(ulong a) => !Unnamed && Depth == 1 && _names[0] == a;

    public readonly bool Is(ulong a, ulong b) => !Unnamed && Depth == 2 && _names[0] == a && _names[1] == b;

    public readonly bool Is(ulong a, ulong b, ulong c) =>
        !Unnamed && Depth == 3 && _names[0] == a && _names[1] == b && _names[2] == c;

    public readonly bool Is(ulong a, ulong b, ulong c, ulong d) =>
        !Unnamed && Depth == 4 && _names[0] == a && _names[1] == b && _names[2] == c && _names[3] == d;

    /// <summary>Gets a value indicating whether the path starts with the given names.</summary>
    public readonly bool StartsWith(ulong a, ulong b) => !Unnamed && Depth >= 2 && _names[0] == a && _names[1] == b;

    /// <summary>FNV-1a over the raw (still escaped) UTF-8 bytes of a property name.</summary>
    public static ulong Hash(ReadOnlySpan<byte> name)
    {
        var hash = HashSeed;
        foreach (var b in name)
        {
            hash = HashStep(hash, b);
        }

        return hash;
    }

    public const ulong HashSeed = 14695981039346656037UL;

    /// <summary>
    /// The name an array takes in the path of a value inside one of its elements, for mappings that read array elements
    /// (<see cref="UsageMapping.ReadsArrayElements"/>). Property names are hashed as their raw, escaped bytes, which never
    /// hold a NUL byte, so no property name hashes the same.
    /// </summary>
    public static readonly ulong ArrayElement = Hash("\0[]"u8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong HashStep(ulong hash, byte value) => (hash ^ value) * 1099511628211UL;

    [InlineArray(MaxDepth)]
    private struct PathHashes
    {
        private ulong _element;
    }
}
