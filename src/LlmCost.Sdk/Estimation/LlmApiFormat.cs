namespace LlmCost.Sdk;

/// <summary>The wire format of a call's request and response bodies, for <see cref="ILlmUsageEstimator"/>.</summary>
public enum LlmApiFormat
{
    /// <summary>Another format (Gemini, Bedrock's event stream, …): not captured for estimation.</summary>
    Other = 0,

    /// <summary>OpenAI's: Chat Completions, Responses, legacy completions, and the OpenAI-compatible APIs (Azure OpenAI, Mistral, DeepSeek, Groq, xAI, OpenRouter).</summary>
    OpenAI = 1,

    /// <summary>Anthropic's Messages API (also Claude on Vertex AI).</summary>
    Anthropic = 2,
}
