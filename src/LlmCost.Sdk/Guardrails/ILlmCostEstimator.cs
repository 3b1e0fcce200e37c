namespace LlmCost.Sdk;

/// <summary>
/// Estimates what an LLM request would cost without sending it: for routing and model-tiering decisions ("what would this
/// cost on model X?"). The same estimate budgets reserve before a call is sent. Registered by <c>AddLlmCostTracking</c>.
/// </summary>
/// <remarks>
/// The estimate is a worst case: input tokens counted from the request body (see <see cref="ILlmInputTokenCounter"/>),
/// output tokens from its max-tokens field (<c>max_tokens</c>, <c>max_completion_tokens</c>, <c>max_output_tokens</c>,
/// Gemini's <c>generationConfig.maxOutputTokens</c>, Bedrock's <c>inferenceConfig.maxTokens</c>), else the model's
/// documented maximum from the price table (<see cref="PriceEntry.MaxOutputTokens"/>), else
/// <see cref="LlmGuardrailOptions.DefaultOutputTokens"/> (<see cref="LlmCostEstimate.OutputTokensSource"/> says which),
/// priced from the price table at the current time. Thread-safe.
/// </remarks>
public interface ILlmCostEstimator
{
    /// <summary>Estimates a request. The request is not sent; its content is buffered (so it can still be sent after).</summary>
    /// <param name="request">The request, as it would be sent to a provider.</param>
    /// <param name="model">Prices the request as if it asked for this model instead; <see langword="null"/> for the request's own.</param>
    /// <param name="cancellationToken">Stops reading the content.</param>
    /// <returns>The estimate, or <see langword="null"/> when the request is not an LLM call the SDK knows.</returns>
    ValueTask<LlmCostEstimate?> EstimateAsync(HttpRequestMessage request, string? model = null, CancellationToken cancellationToken = default);
}
