using LlmCost.Sdk.Extensions.AI;
using Microsoft.Extensions.AI;

namespace LlmCost.Sdk;

/// <summary>Adds LLM cost tracking to a Microsoft.Extensions.AI chat client pipeline.</summary>
public static class LlmCostChatClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="CostTrackingChatClient"/> to the pipeline: every call made through it is recorded with its
    /// attribution, usage and cost, unless a tracked <see cref="HttpClient"/> under it already recorded the call.
    /// </summary>
    /// <param name="builder">The chat client builder.</param>
    /// <param name="defaultTags">
    /// Tags for every call through this client, below per-call tags (<see cref="LlmCostChatOptionsKeys"/>) and the ambient
    /// <see cref="LlmCostScope"/>, above <see cref="LlmCostOptions.DefaultTags"/>. They are copied now.
    /// </param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// Needs <c>services.AddLlmCostTracking()</c>: the decorator resolves the SDK's <see cref="ILlmCostTracker"/> from the service provider
    /// given to <see cref="ChatClientBuilder.Build(IServiceProvider?)"/>, and throws <see cref="InvalidOperationException"/>
    /// there when it is missing. Place it outermost (first <c>Use</c> call) to record one call per application call, or
    /// under <c>UseFunctionInvocation()</c> to record each round trip to the model.
    /// </remarks>
    public static ChatClientBuilder UseLlmCostTracking(this ChatClientBuilder builder, LlmCostTags? defaultTags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var tags = defaultTags is null ? null : new LlmCostTags(defaultTags).MakeReadOnly(); // copied now: later changes to the caller's instance do not change the pipeline
        return builder.Use((innerClient, services) =>
            new CostTrackingChatClient(
                innerClient,
                LlmCostTrackerResolver.Resolve(services, nameof(ChatClientBuilder)),
                tags,
                LlmCostTrackerResolver.Logger<CostTrackingChatClient>(services)));
    }
}
