namespace LlmCost.Sdk.Reporting;

/// <summary>The values of all six dimensions of a group of records.</summary>
internal readonly record struct Keys6(string? Provider, string? Model, string? Feature, string? Team, string? Customer, string? Environment)
{
    public static readonly CostDimension[] All =
    [
        CostDimension.Provider, CostDimension.Model, CostDimension.Feature, CostDimension.Team, CostDimension.Customer, CostDimension.Environment,
    ];

    public static Keys6 From(IReadOnlyList<string?> keys) => new(keys[0], keys[1], keys[2], keys[3], keys[4], keys[5]);

    /// <summary>The keys of a group of some of the dimensions, <see langword="null"/> in the others.</summary>
    public static Keys6 From(IReadOnlyList<CostDimension> dimensions, IReadOnlyList<string?> keys)
    {
        string? Of(CostDimension dimension)
        {
            for (var i = 0; i < dimensions.Count; i++)
            {
                if (dimensions[i] == dimension)
                {
                    return keys[i];
                }
            }

            return null;
        }

        return new(Of(CostDimension.Provider), Of(CostDimension.Model), Of(CostDimension.Feature), Of(CostDimension.Team), Of(CostDimension.Customer), Of(CostDimension.Environment));
    }

    public string? Get(CostDimension dimension) => dimension switch
    {
        CostDimension.Provider => Provider,
        CostDimension.Model => Model,
        CostDimension.Feature => Feature,
        CostDimension.Team => Team,
        CostDimension.Customer => Customer,
        CostDimension.Environment => Environment,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown dimension."),
    };
}
