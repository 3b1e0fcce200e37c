namespace LlmCost.Sdk;

/// <summary>A field of <see cref="CostRecord"/> that spend can be grouped by, named as in the JSON Lines record.</summary>
public enum CostDimension
{
    /// <summary>The record's <c>provider</c>.</summary>
    Provider,

    /// <summary>The record's <c>model</c>, or its <c>requestModel</c> when the response named none.</summary>
    Model,

    /// <summary>The record's <c>tags.feature</c>.</summary>
    Feature,

    /// <summary>The record's <c>tags.team</c>.</summary>
    Team,

    /// <summary>The record's <c>tags.customer</c>.</summary>
    Customer,

    /// <summary>The record's <c>tags.environment</c>.</summary>
    Environment,
}
