namespace LlmCost.Sdk;

/// <summary>Operation names, as OpenTelemetry's <c>gen_ai.operation.name</c> values.</summary>
public static class LlmOperations
{
    /// <summary>A chat call: OpenAI Chat Completions and Responses, Anthropic Messages, Bedrock Converse and InvokeModel.</summary>
    public const string Chat = "chat";

    /// <summary>A Gemini <c>generateContent</c> or <c>streamGenerateContent</c> call.</summary>
    public const string GenerateContent = "generate_content";

    /// <summary>An embeddings call.</summary>
    public const string Embeddings = "embeddings";

    /// <summary>A legacy text completion call.</summary>
    public const string TextCompletion = "text_completion";
}
