using System.Collections.Frozen;

namespace LlmCost.Sdk;

/// <summary>
/// The attribution written into a <see cref="CostRecord"/>: the four standard tags plus custom ones.
/// </summary>
/// <remarks>In JSON the custom tags sit beside <c>feature</c>, <c>team</c>, <c>customer</c> and <c>environment</c>.</remarks>
public sealed record CostTags
{
    /// <summary>An instance with no tags.</summary>
    public static readonly CostTags Empty = new();

    /// <summary>Gets the product feature that made the call.</summary>
    public string? Feature { get; init; }

    /// <summary>Gets the team that owns the call.</summary>
    public string? Team { get; init; }

    /// <summary>Gets the customer or tenant on whose behalf the call was made.</summary>
    public string? Customer { get; init; }

    /// <summary>Gets the deployment environment.</summary>
    public string? Environment { get; init; }

    /// <summary>Gets the custom tags.</summary>
    /// <value>The default value is an empty dictionary.</value>
    public IReadOnlyDictionary<string, string> Custom { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>
    /// Copies configuration tags (<see cref="LlmCostTags"/>, mutable) into the immutable form records carry; later changes
    /// to <paramref name="tags"/> do not change the copy.
    /// </summary>
    /// <param name="tags">The tags, or <see langword="null"/>.</param>
    /// <returns>The copy, or <see cref="Empty"/> when <paramref name="tags"/> is <see langword="null"/>.</returns>
    public static CostTags From(LlmCostTags? tags) => tags is null
        ? Empty
        : new CostTags
        {
            Feature = tags.Feature,
            Team = tags.Team,
            Customer = tags.Customer,
            Environment = tags.Environment,
            Custom = tags.Custom.Count == 0
                ? FrozenDictionary<string, string>.Empty
                : tags.Custom.ToFrozenDictionary(StringComparer.Ordinal),
        };

    /// <inheritdoc />
    public bool Equals(CostTags? other) =>
        other is not null
        && Feature == other.Feature && Team == other.Team && Customer == other.Customer && Environment == other.Environment
        && Custom.Count == other.Custom.Count
        && Custom.All(p => other.Custom.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Feature, Team, Customer, Environment, Custom.Count);
}
