namespace LlmCost.Sdk;

/// <summary>Options of cost tracking for one <see cref="HttpClient"/>.</summary>
public sealed class LlmCostClientOptions
{
    /// <summary>Gets the tags for every call made with this client, below request tags and the ambient scope.</summary>
    public LlmCostTags DefaultTags { get; } = new();

    /// <summary>
    /// Gets or sets the provider every call of this client goes to (for a client whose base address is a proxy or gateway),
    /// as a <c>gen_ai.provider.name</c> value. When <see langword="null"/>, the provider is found from the request URI.
    /// </summary>
    /// <remarks>
    /// One of <see cref="LlmProviders"/> (its case is normalized: <c>OpenAI</c> becomes <c>openai</c>), or a provider that
    /// <see cref="LlmCostOptions.Prices"/> names; any other fails at start-up, naming the client.
    /// </remarks>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Provider { get; set; }
}
