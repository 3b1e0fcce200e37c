namespace LlmCost.Sdk;

/// <summary>Provider names, as OpenTelemetry's <c>gen_ai.provider.name</c> values.</summary>
public static class LlmProviders
{
    /// <summary>OpenAI.</summary>
    public const string OpenAI = "openai";

    /// <summary>Anthropic.</summary>
    public const string Anthropic = "anthropic";
}
