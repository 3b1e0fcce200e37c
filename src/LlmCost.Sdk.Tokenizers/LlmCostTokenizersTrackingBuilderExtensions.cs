using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmCost.Sdk;

/// <summary>Adds token estimation with Microsoft.ML.Tokenizers to LLM cost tracking.</summary>
public static class LlmCostTokenizersTrackingBuilderExtensions
{
    /// <summary>
    /// Estimates the tokens of calls whose response reports no usage, with the model's own encoding
    /// (<c>o200k_base</c> or <c>cl100k_base</c>; <c>o200k_base</c> approximates other vendors' models), off the request
    /// path. Their records say <c>usage.source: "estimated"</c> and are priced like any other.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddLlmCostTracking</c>.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Takes effect while <see cref="LlmCostOptions.EstimateMissingUsage"/> is on (the default). Registering another
    /// <see cref="ILlmUsageEstimator"/> before this call keeps that one. Calling it more than once adds nothing.
    /// </remarks>
    public static LlmCostTrackingBuilder AddTokenizerEstimation(this LlmCostTrackingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<ILlmUsageEstimator, TokenizerUsageEstimator>();
        return builder;
    }
}
