namespace LlmCost.Sdk;

/// <summary>
/// The attribution of an LLM call: the feature, team, customer and environment that caused it, plus any custom tags.
/// </summary>
/// <remarks>
/// Used for <see cref="LlmCostOptions.DefaultTags"/>, for client-level defaults
/// (<see cref="LlmCostClientOptions.DefaultTags"/>) and for per-request tags
/// (<see cref="LlmCostHttpRequestMessageExtensions.SetLlmCostTags(HttpRequestMessage, LlmCostTags)"/>).
/// Values that are <see langword="null"/> are filled from the next, less specific, source:
/// request tags, then the ambient <see cref="LlmCostScope"/>, then client defaults, then <see cref="LlmCostOptions"/>.
/// Instances are not thread-safe to mutate; the SDK copies them when a call starts.
/// </remarks>
public sealed class LlmCostTags
{
    /// <summary>
    /// The key under which per-request tags are stored in <see cref="HttpRequestMessage.Options"/>.
    /// </summary>
    public static readonly HttpRequestOptionsKey<LlmCostTags> RequestOptionsKey = new("LlmCost.Tags");

    /// <summary>Gets or sets the product feature that made the call, such as <c>ticket-triage</c>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Feature { get; set; }

    /// <summary>Gets or sets the team that owns the call.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Team { get; set; }

    /// <summary>Gets or sets the customer or tenant on whose behalf the call was made.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Customer { get; set; }

    /// <summary>Gets or sets the deployment environment, such as <c>production</c>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Environment { get; set; }

    /// <summary>Gets the custom tags written into a record's <c>tags</c> beside the four standard ones.</summary>
    /// <value>An empty, case-sensitive dictionary by default.</value>
    public IDictionary<string, string> Custom { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
