namespace LlmCost.Sdk;

/// <summary>Where a pre-flight estimate's output tokens (<see cref="LlmCostEstimate.OutputTokens"/>) came from.</summary>
public enum LlmOutputTokensSource
{
    /// <summary>
    /// <see cref="LlmGuardrailOptions.DefaultOutputTokens"/>: the request names no max-tokens field and the price table
    /// knows no maximum for the model.
    /// </summary>
    Default,

    /// <summary>The request's own field: <c>max_tokens</c>, <c>max_completion_tokens</c>, <c>max_output_tokens</c> or <c>maxTokens</c>.</summary>
    Request,

    /// <summary>The model's documented maximum output, from the price table (<see cref="PriceEntry.MaxOutputTokens"/>).</summary>
    ModelMaximum,
}
