namespace LlmCost.Sdk;

/// <summary>An endpoint to track: requests whose URI starts with <see cref="BaseAddress"/> are attributed to <see cref="Provider"/>.</summary>
public sealed class LlmCostEndpoint
{
    /// <summary>Gets or sets the base address, such as <c>https://llm-gateway.internal/openai/</c>.</summary>
    public string? BaseAddress { get; set; }

    /// <summary>
    /// Gets or sets the provider, as a <c>gen_ai.provider.name</c> value (<c>openai</c>, <c>anthropic</c>, …).
    /// It decides which prices apply; how usage is read follows the path, as on the provider's own host
    /// (<c>…/messages</c> as Anthropic, <c>…/chat/completions</c>, <c>…/responses</c>, <c>…/embeddings</c> as OpenAI,
    /// <c>/model/{id}/converse</c> as Bedrock, <c>…/models/{model}:generateContent</c> as Gemini).
    /// </summary>
    public string? Provider { get; set; }
}
