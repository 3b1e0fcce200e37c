namespace LlmCost.Sdk;

/// <summary>Provider names, as OpenTelemetry's <c>gen_ai.provider.name</c> values.</summary>
public static class LlmProviders
{
    /// <summary>OpenAI (<c>api.openai.com</c>).</summary>
    public const string OpenAI = "openai";

    /// <summary>Anthropic (<c>api.anthropic.com</c>).</summary>
    public const string Anthropic = "anthropic";

    /// <summary>Azure OpenAI (<c>*.openai.azure.com</c>, <c>*.cognitiveservices.azure.com</c>).</summary>
    public const string AzureOpenAI = "azure.ai.openai";

    /// <summary>Amazon Bedrock (<c>bedrock-runtime.{region}.amazonaws.com</c>).</summary>
    public const string AwsBedrock = "aws.bedrock";

    /// <summary>The Gemini API (<c>generativelanguage.googleapis.com</c>).</summary>
    public const string GcpGemini = "gcp.gemini";

    /// <summary>Vertex AI (<c>{region}-aiplatform.googleapis.com</c>).</summary>
    public const string GcpVertexAI = "gcp.vertex_ai";

    /// <summary>Mistral AI (<c>api.mistral.ai</c>).</summary>
    public const string MistralAI = "mistral_ai";

    /// <summary>DeepSeek (<c>api.deepseek.com</c>).</summary>
    public const string DeepSeek = "deepseek";

    /// <summary>Groq (<c>api.groq.com</c>).</summary>
    public const string Groq = "groq";

    /// <summary>xAI (<c>api.x.ai</c>).</summary>
    public const string XAI = "x_ai";

    /// <summary>OpenRouter (<c>openrouter.ai</c>); its responses carry their own cost, which the record keeps.</summary>
    public const string OpenRouter = "openrouter";
}
