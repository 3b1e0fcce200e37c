using LlmCost.Sdk.Extensions.AI;
using Microsoft.Extensions.AI;

namespace LlmCost.Sdk;

/// <summary>Adds LLM cost tracking to a Microsoft.Extensions.AI embedding generator pipeline.</summary>
public static class LlmCostEmbeddingGeneratorBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="CostTrackingEmbeddingGenerator{TInput, TEmbedding}"/> to the pipeline: every call made through it
    /// is recorded with its attribution, usage and cost, unless a tracked <see cref="HttpClient"/> under it already
    /// recorded the call.
    /// </summary>
    /// <typeparam name="TInput">The type of the values embedded.</typeparam>
    /// <typeparam name="TEmbedding">The type of the embeddings generated.</typeparam>
    /// <param name="builder">The embedding generator builder.</param>
    /// <param name="defaultTags">
    /// Tags for every call through this generator, below per-call tags (<see cref="LlmCostChatOptionsKeys"/>) and the
    /// ambient <see cref="LlmCostScope"/>, above <see cref="LlmCostOptions.DefaultTags"/>. They are copied now.
    /// </param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Needs <c>services.AddLlmCostTracking()</c>: the decorator resolves the SDK's <see cref="ILlmCostTracker"/> from the service provider
    /// given to <see cref="EmbeddingGeneratorBuilder{TInput, TEmbedding}.Build(IServiceProvider?)"/>, and throws
    /// <see cref="InvalidOperationException"/> there when it is missing.
    /// </remarks>
    public static EmbeddingGeneratorBuilder<TInput, TEmbedding> UseLlmCostTracking<TInput, TEmbedding>(
        this EmbeddingGeneratorBuilder<TInput, TEmbedding> builder, LlmCostTags? defaultTags = null)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(builder);
        var tags = defaultTags is null ? null : new LlmCostTags(defaultTags).MakeReadOnly(); // copied now: later changes to the caller's instance do not change the pipeline
        return builder.Use((innerGenerator, services) =>
            new CostTrackingEmbeddingGenerator<TInput, TEmbedding>(
                innerGenerator,
                LlmCostTrackerResolver.Resolve(services, "EmbeddingGeneratorBuilder"),
                tags,
                LlmCostTrackerResolver.Logger<CostTrackingEmbeddingGenerator<TInput, TEmbedding>>(services)));
    }
}
