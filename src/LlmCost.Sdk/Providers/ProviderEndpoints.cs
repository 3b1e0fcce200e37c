using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace LlmCost.Sdk;

/// <summary>
/// Decides from a request's URI whether a call is an LLM call, and which provider, operation and response format it is.
/// </summary>
/// <remarks>
/// <para>Providers are known by host: <c>api.openai.com</c>, <c>api.anthropic.com</c>, Azure OpenAI
/// (<c>*.openai.azure.com</c>, <c>*.cognitiveservices.azure.com</c>, <c>*.services.ai.azure.com</c>), Amazon Bedrock
/// (<c>bedrock-runtime[-fips].{region}.amazonaws.com</c>), the Gemini API (<c>generativelanguage.googleapis.com</c>),
/// Vertex AI (<c>[{region}-]aiplatform.googleapis.com</c>) and the OpenAI-compatible APIs of Mistral, DeepSeek, Groq,
/// xAI and OpenRouter. Configured endpoints (<see cref="LlmCostOptions.Endpoints"/>) are matched first, longest base
/// address first.</para>
/// <para>The operation and format come from the path, whatever the host: <c>…/chat/completions</c>, <c>…/responses</c>,
/// <c>…/completions</c> and <c>…/embeddings</c> are OpenAI's format; <c>…/messages</c> is Anthropic's; Bedrock's
/// <c>/model/{id}/converse[-stream]</c> and <c>/model/{id}/invoke[-with-response-stream]</c>; Google's
/// <c>…/models/{model}:generateContent</c>, <c>:streamGenerateContent</c> and (Claude on Vertex AI)
/// <c>:rawPredict</c>, <c>:streamRawPredict</c>. Only POST requests are tracked, so retrieving a stored response
/// never counts its usage twice.</para>
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

    // One target per provider, operation and format for URLs that name no model: bounded by the configured providers.
    private static readonly ConcurrentDictionary<(string Provider, string Operation, UsageMapping Mapping), LlmCallTarget> SharedTargets = new();

    // The last shared target handed out: an app calls one or two endpoints, so this answers nearly every call by three
    // reference comparisons, without hashing the key's strings (~40 ns per call). Any miss falls back to the dictionary.
    private static LlmCallTarget? s_lastShared;

    public bool TryResolve(HttpRequestMessage request, string? providerOverride, [NotNullWhen(true)] out LlmCallTarget? target)
    {
        target = null;
        var uri = request.RequestUri;
        if (request.Method != HttpMethod.Post || uri is null || !uri.IsAbsoluteUri)
        {
            return false;
        }

        var provider = providerOverride ?? FindProvider(uri);
        return provider is not null && TryResolvePath(provider, uri, out target);
    }

    /// <summary>Resolves the operation and format of a call to a known provider from its path.</summary>
    internal static bool TryResolvePath(string provider, Uri uri, [NotNullWhen(true)] out LlmCallTarget? target)
    {
        target = null;
        var path = uri.AbsolutePath.AsSpan().TrimEnd('/');
        if (TryResolveBedrock(provider, uri, path, out target) || TryResolveGoogle(provider, uri, path, out target))
        {
            return true;
        }

        UsageMapping mapping;
        string operation;
        if (path.EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase))
        {
            // xAI counts reasoning apart from completion_tokens in Chat Completions (not in its Responses API).
            var openAI = string.Equals(provider, LlmProviders.XAI, StringComparison.Ordinal) ? OpenAIUsageMapping.XAI : OpenAIUsageMapping.Instance;
            (operation, mapping) = (LlmOperations.Chat, openAI);
        }
        else if (path.EndsWith("/responses", StringComparison.OrdinalIgnoreCase))
        {
            (operation, mapping) = (LlmOperations.Chat, OpenAIUsageMapping.Instance);
        }
        else if (path.EndsWith("/messages", StringComparison.OrdinalIgnoreCase))
        {
            (operation, mapping) = (LlmOperations.Chat, AnthropicUsageMapping.Instance);
        }
        else if (path.EndsWith("/embeddings", StringComparison.OrdinalIgnoreCase))
        {
            (operation, mapping) = (LlmOperations.Embeddings, OpenAIUsageMapping.Instance);
        }
        else if (path.EndsWith("/completions", StringComparison.OrdinalIgnoreCase))
        {
            (operation, mapping) = (LlmOperations.TextCompletion, OpenAIUsageMapping.Instance);
        }
        else
        {
            return false;
        }

        var deployment = AzureDeployment(path);
        target = deployment is null
            ? SharedTarget(provider, operation, mapping)
            : new LlmCallTarget(provider, operation, mapping) { UrlModel = deployment };
        return true;
    }

    private static LlmCallTarget SharedTarget(string provider, string operation, UsageMapping mapping)
    {
        var last = Volatile.Read(ref s_lastShared);
        if (last is not null && ReferenceEquals(last.Provider, provider) && ReferenceEquals(last.Operation, operation)
            && ReferenceEquals(last.Mapping, mapping))
        {
            return last;
        }

        var target = SharedTargets.GetOrAdd((provider, operation, mapping), static key => new LlmCallTarget(key.Provider, key.Operation, key.Mapping));
        Volatile.Write(ref s_lastShared, target);
        return target;
    }

    /// <summary>Azure OpenAI's deployment-scoped shape: <c>/openai/deployments/{deployment}/chat/completions</c>.</summary>
    private static string? AzureDeployment(ReadOnlySpan<char> path)
    {
        const string Marker = "/openai/deployments/";
        var at = IndexOfIgnoreCase(path, Marker);
        if (at < 0)
        {
            return null;
        }

        var rest = path[(at + Marker.Length)..];
        var end = rest.IndexOf('/');
        return end > 0 ? Uri.UnescapeDataString(rest[..end].ToString()) : null;
    }

    /// <summary>Bedrock Runtime: <c>/model/{modelId}/converse</c>, <c>/converse-stream</c>, <c>/invoke</c>, <c>/invoke-with-response-stream</c>.</summary>
    private static bool TryResolveBedrock(string provider, Uri uri, ReadOnlySpan<char> path, [NotNullWhen(true)] out LlmCallTarget? target)
    {
        target = null;
        var at = IndexOfIgnoreCase(path, "/model/");
        if (at < 0)
        {
            return false;
        }

        var rest = path[(at + "/model/".Length)..];
        var slash = rest.LastIndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var action = rest[(slash + 1)..];
        UsageMapping mapping;
        if (action.Equals("converse", StringComparison.OrdinalIgnoreCase) || action.Equals("converse-stream", StringComparison.OrdinalIgnoreCase))
        {
            mapping = BedrockConverseUsageMapping.Instance;
        }
        else if (action.Equals("invoke", StringComparison.OrdinalIgnoreCase) || action.Equals("invoke-with-response-stream", StringComparison.OrdinalIgnoreCase))
        {
            mapping = BedrockInvokeUsageMapping.Instance;
        }
        else
        {
            return false;
        }

        var model = Uri.UnescapeDataString(rest[..slash].ToString());
        target = new LlmCallTarget(provider, LlmOperations.Chat, mapping)
        {
            UrlModel = model,
            StreamingUrl = action.EndsWith("stream", StringComparison.OrdinalIgnoreCase),
            UrlModelIsServed = true,
            Region = BedrockRegion(model, uri.IdnHost),
        };
        return true;
    }

    /// <summary>
    /// Where a Bedrock call is served: <c>global</c> for a global inference profile, the geography (<c>us</c>,
    /// <c>eu</c>, <c>apac</c>, …) for a geographic one, the endpoint's region otherwise.
    /// </summary>
    internal static string? BedrockRegion(string modelId, string host)
    {
        var id = modelId.AsSpan();
        var profile = id.LastIndexOf('/');
        if (id.StartsWith("arn:", StringComparison.Ordinal) && profile >= 0)
        {
            id = id[(profile + 1)..];
        }

        var dot = id.IndexOf('.');
        if (dot > 0 && ModelIds.IsBedrockGeography(id[..dot]))
        {
            return id[..dot].ToString().ToLowerInvariant();
        }

        // bedrock-runtime.us-east-1.amazonaws.com
        var parts = host.Split('.');
        return parts.Length >= 4 && parts[0].StartsWith("bedrock-runtime", StringComparison.OrdinalIgnoreCase) ? parts[1] : null;
    }

    /// <summary>
    /// Google: <c>/v1beta/models/{model}:generateContent</c> (Gemini API) and
    /// <c>/v1/projects/{p}/locations/{location}/publishers/{publisher}/models/{model}:{method}</c> (Vertex AI).
    /// </summary>
    private static bool TryResolveGoogle(string provider, Uri uri, ReadOnlySpan<char> path, [NotNullWhen(true)] out LlmCallTarget? target)
    {
        target = null;
        var colon = path.LastIndexOf(':');
        if (colon < 0)
        {
            return false; // most paths: no method after a colon, and no case-insensitive search
        }

        var models = LastIndexOfIgnoreCase(path, "models/");
        if (models < 0 || colon < models)
        {
            return false;
        }

        var method = path[(colon + 1)..];
        var model = Uri.UnescapeDataString(path[(models + "models/".Length)..colon].ToString());
        UsageMapping mapping;
        string operation;
        if (method.Equals("generateContent", StringComparison.OrdinalIgnoreCase) || method.Equals("streamGenerateContent", StringComparison.OrdinalIgnoreCase))
        {
            (operation, mapping) = (LlmOperations.GenerateContent, GeminiUsageMapping.Instance);
        }
        else if (method.Equals("rawPredict", StringComparison.OrdinalIgnoreCase) || method.Equals("streamRawPredict", StringComparison.OrdinalIgnoreCase))
        {
            // Claude answers in Anthropic's Messages format; the other partner models (Mistral, AI21) in OpenAI's.
            var publisher = PathSegmentAfter(path, "/publishers/");
            var openAIFormat = !publisher.IsEmpty && !publisher.Equals("anthropic", StringComparison.OrdinalIgnoreCase);
            (operation, mapping) = (LlmOperations.Chat, openAIFormat ? OpenAIUsageMapping.Instance : AnthropicUsageMapping.Instance);
        }
        else
        {
            return false;
        }

        target = new LlmCallTarget(provider, operation, mapping)
        {
            UrlModel = model,
            Region = VertexLocation(path),
            StreamingUrl = method.StartsWith("stream", StringComparison.OrdinalIgnoreCase),
        };
        return true;
    }

    private static string? VertexLocation(ReadOnlySpan<char> path)
    {
        var location = PathSegmentAfter(path, "/locations/");
        return location.IsEmpty ? null : location.ToString();
    }

    /// <summary>
    /// Finds a lower-case ASCII marker in a path, ignoring case: an ordinal (vectorized) search, and the case-insensitive
    /// one only when the path has an upper-case letter (an absolute path is ASCII: anything else is percent-escaped), since
    /// the runtime's case-insensitive search is character by character on the hot path of every call.
    /// </summary>
    private static int IndexOfIgnoreCase(ReadOnlySpan<char> path, string lowerMarker) =>
        path.ContainsAnyInRange('A', 'Z')
            ? path.IndexOf(lowerMarker, StringComparison.OrdinalIgnoreCase)
            : path.IndexOf(lowerMarker, StringComparison.Ordinal);

    /// <summary>The last occurrence of a lower-case ASCII marker in a path, ignoring case (see <see cref="IndexOfIgnoreCase"/>).</summary>
    private static int LastIndexOfIgnoreCase(ReadOnlySpan<char> path, string lowerMarker) =>
        path.ContainsAnyInRange('A', 'Z')
            ? path.LastIndexOf(lowerMarker, StringComparison.OrdinalIgnoreCase)
            : path.LastIndexOf(lowerMarker, StringComparison.Ordinal);

    /// <summary>The path segment that follows a marker such as <c>/locations/</c>, or empty.</summary>
    private static ReadOnlySpan<char> PathSegmentAfter(ReadOnlySpan<char> path, string marker)
    {
        var at = IndexOfIgnoreCase(path, marker);
        if (at < 0)
        {
            return default;
        }

        var rest = path[(at + marker.Length)..];
        var end = rest.IndexOf('/');
        return end > 0 ? rest[..end] : default;
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

        return ProviderForHost(uri.IdnHost);
    }

    /// <summary>The provider that serves a host, or <see langword="null"/> for a host that is not a known LLM API.</summary>
    internal static string? ProviderForHost(string host)
    {
        var h = host.AsSpan();
        return h.Equals("api.openai.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.OpenAI
            : h.Equals("api.anthropic.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.Anthropic
            : h.EndsWith(".openai.azure.com", StringComparison.OrdinalIgnoreCase)
                || h.EndsWith(".cognitiveservices.azure.com", StringComparison.OrdinalIgnoreCase)
                || h.EndsWith(".services.ai.azure.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.AzureOpenAI
            : h.StartsWith("bedrock-runtime", StringComparison.OrdinalIgnoreCase) && h.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.AwsBedrock
            : h.Equals("generativelanguage.googleapis.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.GcpGemini
            : h.EndsWith("aiplatform.googleapis.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.GcpVertexAI
            : h.Equals("api.mistral.ai", StringComparison.OrdinalIgnoreCase) ? LlmProviders.MistralAI
            : h.Equals("api.deepseek.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.DeepSeek
            : h.Equals("api.groq.com", StringComparison.OrdinalIgnoreCase) ? LlmProviders.Groq
            : h.Equals("api.x.ai", StringComparison.OrdinalIgnoreCase) ? LlmProviders.XAI
            : h.Equals("openrouter.ai", StringComparison.OrdinalIgnoreCase) ? LlmProviders.OpenRouter
            : null;
    }
}

/// <summary>What an LLM call is: who serves it, what it does and how its response reports usage.</summary>
/// <remarks>
/// A class, not a struct: a call keeps a reference, and the calls of a provider whose URL names no model or region (OpenAI,
/// Anthropic, most others) share one instance (see <see cref="ProviderEndpoints"/>), which saves 40 bytes per call.
/// </remarks>
internal sealed record LlmCallTarget(string Provider, string Operation, UsageMapping Mapping)
{
    /// <summary>Gets the model (or Azure deployment, or Bedrock inference profile) the URL names, or <see langword="null"/>.</summary>
    public string? UrlModel { get; init; }

    /// <summary>Gets a value indicating whether <see cref="UrlModel"/> is the model that serves the call (Bedrock), whose responses never name it.</summary>
    public bool UrlModelIsServed { get; init; }

    /// <summary>Gets a value indicating whether the URL asks for a streamed response (<c>:streamGenerateContent</c>, <c>converse-stream</c>).</summary>
    public bool StreamingUrl { get; init; }

    /// <summary>Gets where the call is served, when the URL says: a Bedrock region or geography, a Vertex AI location, <c>global</c>.</summary>
    public string? Region { get; init; }
}
