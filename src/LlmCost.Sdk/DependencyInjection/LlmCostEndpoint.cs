namespace LlmCost.Sdk;

/// <summary>An endpoint to track: requests whose URI starts with <see cref="BaseAddress"/> are attributed to <see cref="Provider"/>.</summary>
public sealed class LlmCostEndpoint
{
    /// <summary>Gets or sets the base address, such as <c>https://llm-gateway.internal/openai/</c>.</summary>
    public string? BaseAddress { get; set; }

    /// <summary>
    /// Gets or sets the provider, as a <c>gen_ai.provider.name</c> value (<c>openai</c>, <c>anthropic</c>, …).
    /// It decides how usage is read (Anthropic's format for <c>anthropic</c>, OpenAI's otherwise) and which prices apply.
    /// </summary>
    public string? Provider { get; set; }
}
