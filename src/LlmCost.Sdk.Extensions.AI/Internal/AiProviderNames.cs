namespace LlmCost.Sdk.Extensions.AI;

/// <summary>
/// Maps the provider names Microsoft.Extensions.AI adapters put in <c>ChatClientMetadata.ProviderName</c> to the
/// OpenTelemetry <c>gen_ai.provider.name</c> values records use (<see cref="LlmProviders"/>).
/// </summary>
/// <remarks>
/// The OpenAI adapter says <c>openai</c> and the Anthropic SDK's adapter <c>anthropic</c>, already convention values;
/// other names are matched case-insensitively against a few common spellings and otherwise kept, lower-cased.
/// Runs once per decorator, not per call.
/// </remarks>
internal static class AiProviderNames
{
    /// <summary>The provider of a client that gives no metadata.</summary>
    public const string Unknown = "unknown";

    public static string Normalize(string? providerName)
    {
        if (string.IsNullOrWhiteSpace(providerName))
        {
            return Unknown;
        }

        var name = providerName.Trim().ToLowerInvariant();
        return name switch
        {
            "openai" => LlmProviders.OpenAI,
            "anthropic" => LlmProviders.Anthropic,
            "azure_openai" or "azureopenai" or "azure.openai" or "azure-openai" => LlmProviders.AzureOpenAI,
            "bedrock" or "aws_bedrock" or "amazon.bedrock" or "aws-bedrock" => LlmProviders.AwsBedrock,
            "gemini" or "google" or "googleai" or "google.gemini" => LlmProviders.GcpGemini,
            "vertex" or "vertexai" or "vertex_ai" or "google.vertex" => LlmProviders.GcpVertexAI,
            "mistral" or "mistralai" => LlmProviders.MistralAI,
            "xai" or "x.ai" => LlmProviders.XAI,
            _ => name,
        };
    }
}
