using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmCost.Sdk;

/// <summary>Adds token estimation with Microsoft.ML.Tokenizers to LLM cost tracking.</summary>
public static class LlmCostTokenizersTrackingBuilderExtensions
{
    /// <summary>
    /// Estimates the tokens of calls whose response reports no usage, with the model's own encoding
    /// (<c>o200k_base</c> or <c>cl100k_base</c>; <c>o200k_base</c> approximates other vendors' models), off the request
    /// path. Their records say <c>usage.source: "estimated"</c> and are priced like any other. Also counts the input
    /// tokens of the guardrails' pre-flight estimate (<see cref="ILlmInputTokenCounter"/>) with the same encoding, in place
    /// of the default one token per three bytes: only for calls a budget applies to, and for
    /// <see cref="ILlmCostEstimator.EstimateAsync"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddLlmCostTracking</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Usage estimation takes effect while <see cref="LlmCostOptions.EstimateMissingUsage"/> is on (the default); the
    /// pre-flight count whenever a budget applies to a call. Registering another
    /// <see cref="ILlmUsageEstimator"/> (or <see cref="ILlmInputTokenCounter"/>) before this call keeps that one. Calling it
    /// more than once adds nothing.
    /// </remarks>
    public static LlmCostTrackingBuilder AddTokenizerEstimation(this LlmCostTrackingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<ILlmUsageEstimator, TokenizerUsageEstimator>();
        builder.Services.TryAddSingleton<ILlmInputTokenCounter, TokenizerInputTokenCounter>();
        return builder;
    }
}
