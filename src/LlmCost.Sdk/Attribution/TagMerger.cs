using System.Collections.Frozen;

namespace LlmCost.Sdk;

/// <summary>Merges attribution sources, most specific first: request, scope, client defaults, options.</summary>
internal static class TagMerger
{
    public static IReadOnlyDictionary<string, string> MergeCustom(
        IEnumerable<KeyValuePair<string, string>>? overriding,
        IReadOnlyDictionary<string, string> inherited)
    {
        if (overriding is null || (overriding is ICollection<KeyValuePair<string, string>> { Count: 0 }))
        {
            return inherited;
        }

        var merged = new Dictionary<string, string>(inherited, StringComparer.Ordinal);
        foreach (var (key, value) in overriding)
        {
            merged[key] = value;
        }

        return merged.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Converts mutable configuration tags into the immutable form.</summary>
    public static CostTags Freeze(LlmCostTags? tags) => CostTags.From(tags);

    /// <summary>
    /// Fills each field of <paramref name="specific"/> that is <see langword="null"/> from <paramref name="fallback"/>.
    /// Returns one of the inputs, without allocating, when the other adds nothing.
    /// </summary>
    public static CostTags Merge(CostTags specific, CostTags fallback)
    {
        if (ReferenceEquals(fallback, CostTags.Empty) || ReferenceEquals(specific, fallback))
        {
            return specific;
        }

        if (ReferenceEquals(specific, CostTags.Empty))
        {
            return fallback;
        }

        return new CostTags
        {
            Feature = specific.Feature ?? fallback.Feature,
            Team = specific.Team ?? fallback.Team,
            Customer = specific.Customer ?? fallback.Customer,
            Environment = specific.Environment ?? fallback.Environment,
            Custom = specific.Custom.Count == 0 ? fallback.Custom
                : fallback.Custom.Count == 0 ? specific.Custom
                : MergeCustom(specific.Custom, fallback.Custom),
        };
    }
}
