namespace LlmCost.Sdk;

/// <summary>The providers of <see cref="LlmProviders"/>, to validate and normalize the provider names options give.</summary>
internal static class KnownProviders
{
    public static readonly IReadOnlyList<string> All =
    [
        LlmProviders.OpenAI,
        LlmProviders.Anthropic,
        LlmProviders.AzureOpenAI,
        LlmProviders.AwsBedrock,
        LlmProviders.GcpGemini,
        LlmProviders.GcpVertexAI,
        LlmProviders.MistralAI,
        LlmProviders.DeepSeek,
        LlmProviders.Groq,
        LlmProviders.XAI,
        LlmProviders.OpenRouter,
    ];

    /// <summary>Returns the canonical spelling of a known provider (<c>OpenAI</c> → <c>openai</c>), or <see langword="null"/>.</summary>
    public static string? Normalize(string? provider)
    {
        if (string.IsNullOrWhiteSpace(provider))
        {
            return null;
        }

        var trimmed = provider.Trim();
        foreach (var known in All)
        {
            if (string.Equals(known, trimmed, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }

    /// <summary>The known providers as a list for messages: <c>openai, anthropic, …</c>.</summary>
    public static string List => string.Join(", ", All);
}
