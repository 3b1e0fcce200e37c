namespace LlmCost.Sdk;

/// <summary>The worst-case estimate of an LLM call made before it is sent (<see cref="ILlmCostEstimator"/>).</summary>
public sealed record LlmCostEstimate
{
    /// <summary>Gets the provider, as a <c>gen_ai.provider.name</c> value.</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the operation, as a <c>gen_ai.operation.name</c> value.</summary>
    public required string Operation { get; init; }

    /// <summary>Gets the model the request asks for (from its body, or its URL), if found.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the estimated input tokens (see <see cref="ILlmInputTokenCounter"/>).</summary>
    public long InputTokens { get; init; }

    /// <summary>
    /// Gets the most output tokens the call can produce: the request's max-tokens field, else the model's documented
    /// maximum from the price table (<see cref="PriceEntry.MaxOutputTokens"/>), else
    /// <see cref="LlmGuardrailOptions.DefaultOutputTokens"/> (<see cref="OutputTokensSource"/> says which).
    /// </summary>
    public long OutputTokens { get; init; }

    /// <summary>Gets a value indicating whether <see cref="OutputTokens"/> came from the request rather than the table or the default.</summary>
    public bool OutputTokensFromRequest { get; init; }

    /// <summary>Gets where <see cref="OutputTokens"/> came from: the request, the model's maximum in the price table, or the default.</summary>
    public LlmOutputTokensSource OutputTokensSource { get; init; }

    /// <summary>Gets the worst-case cost in USD, or <see langword="null"/> when the price table has no price for the model.</summary>
    public decimal? Cost { get; init; }
}
