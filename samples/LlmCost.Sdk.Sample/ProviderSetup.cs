using System.Net.Http.Headers;

namespace LlmCost.Sdk.Sample;

/// <summary>
/// How the sample reaches one provider: the real API when its key is in the environment, the built-in simulator otherwise.
/// </summary>
/// <remarks>
/// A class rather than a record on purpose: a record's generated <c>ToString</c> would print the API key.
/// The key is only ever copied into request headers.
/// </remarks>
internal sealed class ProviderSetup
{
    private readonly string? _apiKey;

    private ProviderSetup(LlmProvider provider, string clientName, string keyVariable, string requestPath, string model, string? apiKey)
    {
        Provider = provider;
        ClientName = clientName;
        KeyVariable = keyVariable;
        RequestPath = requestPath;
        Model = model;
        _apiKey = apiKey;
    }

    public LlmProvider Provider { get; }

    /// <summary>Gets the name of the <see cref="HttpClient"/> registered for this provider.</summary>
    public string ClientName { get; }

    /// <summary>Gets the environment variable that holds the API key.</summary>
    public string KeyVariable { get; }

    /// <summary>Gets the path of the chat endpoint, relative to the base address.</summary>
    public string RequestPath { get; }

    /// <summary>Gets the model to ask for.</summary>
    public string Model { get; }

    /// <summary>Gets a value indicating whether calls go to the built-in simulator instead of the real API.</summary>
    public bool IsSimulated => _apiKey is null;

    // Offline, the simulator answers as gpt-4o and Claude Sonnet 4.5. With real keys the sample uses cheap models.
    public static ProviderSetup OpenAI() =>
        Create(LlmProvider.OpenAI, "openai", "OPENAI_API_KEY", "v1/chat/completions", simulatedModel: "gpt-4o", realModel: "gpt-4o-mini");

    public static ProviderSetup Anthropic() =>
        Create(LlmProvider.Anthropic, "anthropic", "ANTHROPIC_API_KEY", "v1/messages", simulatedModel: "claude-sonnet-4-5", realModel: "claude-haiku-4-5");

    /// <summary>Configures the named <see cref="HttpClient"/>: base address and, for the real API, authentication.</summary>
    public void ConfigureClient(HttpClient client)
    {
        // The SDK recognises api.openai.com and api.anthropic.com by host, whether the simulator or the network answers.
        client.BaseAddress = Provider == LlmProvider.OpenAI ? new Uri("https://api.openai.com/") : new Uri("https://api.anthropic.com/");
        if (_apiKey is null)
        {
            return;
        }

        if (Provider == LlmProvider.OpenAI)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }
        else
        {
            client.DefaultRequestHeaders.Add("x-api-key", _apiKey);
            client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        }
    }

    private static ProviderSetup Create(LlmProvider provider, string clientName, string keyVariable, string requestPath, string simulatedModel, string realModel)
    {
        var apiKey = Environment.GetEnvironmentVariable(keyVariable) is { Length: > 0 } key ? key : null;
        return new ProviderSetup(provider, clientName, keyVariable, requestPath, apiKey is null ? simulatedModel : realModel, apiKey);
    }
}
