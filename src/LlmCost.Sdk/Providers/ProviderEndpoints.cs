namespace LlmCost.Sdk;

/// <summary>
/// Decides from a request's URI whether a call is an LLM call, and which provider, operation and response format it is.
/// </summary>
/// <remarks>
/// Known hosts: <c>api.openai.com</c> (openai) and <c>api.anthropic.com</c> (anthropic); configured endpoints
/// (<see cref="LlmCostOptions.Endpoints"/>) are matched first, longest base address first. Only POST requests to a
/// billable path are tracked, so retrieving a stored response never counts its usage twice.
/// </remarks>
internal sealed class ProviderEndpoints
{
    private readonly (string BaseAddress, string Provider)[] _configured;

    public ProviderEndpoints(IEnumerable<LlmCostEndpoint> configured)
    {
        _configured = [.. configured
            .Where(e => !string.IsNullOrWhiteSpace(e.BaseAddress) && !string.IsNullOrWhiteSpace(e.Provider))
            .Select(e => (e.BaseAddress!.TrimEnd('/'), e.Provider!))
            .OrderByDescending(e => e.Item1.Length)];
    }

    public bool TryResolve(HttpRequestMessage request, string? providerOverride, out LlmCallTarget target)
    {
        target = default;
        var uri = request.RequestUri;
        if (request.Method != HttpMethod.Post || uri is null || !uri.IsAbsoluteUri)
        {
            return false;
        }

        var provider = providerOverride ?? FindProvider(uri);
        if (provider is null)
        {
            return false;
        }

        var path = uri.AbsolutePath.AsSpan().TrimEnd('/');
        if (path.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/responses", StringComparison.OrdinalIgnoreCase))
        {
            target = new LlmCallTarget(provider, LlmOperations.Chat, OpenAIUsageMapping.Instance);
        }
        else if (path.EndsWith("/messages", StringComparison.OrdinalIgnoreCase))
        {
            target = new LlmCallTarget(provider, LlmOperations.Chat, AnthropicUsageMapping.Instance);
        }
        else if (path.EndsWith("/embeddings", StringComparison.OrdinalIgnoreCase))
        {
            target = new LlmCallTarget(provider, LlmOperations.Embeddings, OpenAIUsageMapping.Instance);
        }
        else if (path.EndsWith("/completions", StringComparison.OrdinalIgnoreCase))
        {
            target = new LlmCallTarget(provider, LlmOperations.TextCompletion, OpenAIUsageMapping.Instance);
        }
        else
        {
            return false;
        }

        return true;
    }

    private string? FindProvider(Uri uri)
    {
        if (_configured.Length > 0)
        {
            var text = uri.AbsoluteUri;
            foreach (var (baseAddress, provider) in _configured)
            {
                if (text.StartsWith(baseAddress, StringComparison.OrdinalIgnoreCase)
                    && (text.Length == baseAddress.Length || text[baseAddress.Length] is '/' or '?'))
                {
                    return provider;
                }
            }
        }

        var host = uri.IdnHost;
        return string.Equals(host, "api.openai.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.OpenAI
            : string.Equals(host, "api.anthropic.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.Anthropic
            : null;
    }
}

/// <summary>What an LLM call is: who serves it, what it does and how its response reports usage.</summary>
internal readonly record struct LlmCallTarget(string Provider, string Operation, UsageMapping Mapping);
