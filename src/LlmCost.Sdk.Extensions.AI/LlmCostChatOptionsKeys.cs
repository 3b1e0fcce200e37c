namespace LlmCost.Sdk;

/// <summary>
/// The keys of <c>ChatOptions.AdditionalProperties</c> and <c>EmbeddingGenerationOptions.AdditionalProperties</c> that
/// attribute one Microsoft.Extensions.AI call: the per-call tags read by <see cref="CostTrackingChatClient"/> and
/// <see cref="CostTrackingEmbeddingGenerator{TInput, TEmbedding}"/>.
/// </summary>
/// <remarks>
/// Values are strings; other values are ignored. Per-call tags win over the ambient <see cref="LlmCostScope"/>, which wins
/// over the defaults given to <c>UseLlmCostTracking</c>, which win over <see cref="LlmCostOptions.DefaultTags"/>.
/// The keys travel with the options to the inner client; Microsoft.Extensions.AI providers do not send unknown
/// additional properties to the model unless they are told to.
/// </remarks>
/// <example>
/// <code>
/// var options = new ChatOptions
/// {
///     AdditionalProperties = new()
///     {
///         [LlmCostChatOptionsKeys.Feature] = "ticket-triage",
///         [LlmCostChatOptionsKeys.Customer] = tenantId,
///         [LlmCostChatOptionsKeys.CustomTagPrefix + "experiment"] = "b",
///     },
/// };
/// await chatClient.GetResponseAsync(messages, options);
/// </code>
/// </example>
public static class LlmCostChatOptionsKeys
{
    /// <summary>The key of the product feature that made the call: <c>llmcost.feature</c>.</summary>
    public const string Feature = "llmcost.feature";

    /// <summary>The key of the team that owns the call: <c>llmcost.team</c>.</summary>
    public const string Team = "llmcost.team";

    /// <summary>The key of the customer or tenant on whose behalf the call was made: <c>llmcost.customer</c>.</summary>
    public const string Customer = "llmcost.customer";

    /// <summary>The key of the deployment environment: <c>llmcost.environment</c>.</summary>
    public const string Environment = "llmcost.environment";

    /// <summary>
    /// The prefix of custom tags: <c>llmcost.tag.</c>. The key <c>llmcost.tag.experiment</c> sets the custom tag <c>experiment</c>.
    /// </summary>
    public const string CustomTagPrefix = "llmcost.tag.";
}
