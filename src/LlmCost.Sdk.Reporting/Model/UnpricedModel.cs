namespace LlmCost.Sdk.Reporting;

/// <summary>Calls of one model that have no cost (<c>cost: null</c>): the model is not in the price table or the usage is unknown. Their spend is unknown, never $0.</summary>
public sealed record UnpricedModel
{
    /// <summary>Gets the provider.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the model.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the number of unpriced calls.</summary>
    public long Calls { get; init; }

    /// <summary>Gets their input and output tokens.</summary>
    public long Tokens { get; init; }
}
