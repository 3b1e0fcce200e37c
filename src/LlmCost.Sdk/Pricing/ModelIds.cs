namespace LlmCost.Sdk;

/// <summary>
/// The documented normalizations from a model id as a provider names it to the id of a price-table entry.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Dated snapshots: <c>gpt-4o-2024-08-06</c> → <c>gpt-4o</c>, <c>claude-sonnet-4-5-20250929</c> → <c>claude-sonnet-4-5</c>.</item>
/// <item>Bedrock: an inference-profile ARN's last segment; the geography of a cross-region profile (<c>us.</c>,
/// <c>eu.</c>, <c>apac.</c>, <c>global.</c>, …) and the version (<c>-v1:0</c>, <c>:0</c>) are removed, so
/// <c>us.anthropic.claude-sonnet-4-5-20250929-v1:0</c> → <c>anthropic.claude-sonnet-4-5</c>; Anthropic models then
/// fall back to Anthropic's entries (Bedrock publishes the same rates).</item>
/// <item>Vertex AI: the <c>@version</c> suffix (<c>claude-sonnet-4-5@20250929</c>); Gemini models fall back to the
/// Gemini API's entries and Claude models to Anthropic's.</item>
/// <item>Gemini API: a <c>models/</c> prefix.</item>
/// <item>Azure OpenAI: OpenAI's entries (Azure's global deployments are billed at OpenAI's rates).</item>
/// <item>OpenRouter: <c>vendor/model</c> falls back to the vendor's entries.</item>
/// </list>
/// </remarks>
internal static class ModelIds
{
    private static readonly string[] BedrockGeographies = ["us", "eu", "apac", "global", "us-gov", "jp", "au", "ca", "in"];

    /// <summary>Gets a value indicating whether a Bedrock model-id prefix names a cross-region inference profile's geography.</summary>
    public static bool IsBedrockGeography(ReadOnlySpan<char> prefix)
    {
        foreach (var geography in BedrockGeographies)
        {
            if (prefix.Equals(geography, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes a dated snapshot suffix: <c>-YYYY-MM-DD</c> (OpenAI) or <c>-YYYYMMDD</c> (Anthropic).</summary>
    public static ReadOnlySpan<char> StripSnapshotDate(ReadOnlySpan<char> id)
    {
        if (id.Length > 11 && id[^11] == '-' && id[^6] == '-' && id[^3] == '-'
            && AllDigits(id[^10..^6]) && AllDigits(id[^5..^3]) && AllDigits(id[^2..]))
        {
            return id[..^11];
        }

        if (id.Length > 9 && id[^9] == '-' && AllDigits(id[^8..]) && id[^8] == '2')
        {
            return id[..^9];
        }

        return id;
    }

    /// <summary>
    /// The Bedrock base model id: <c>arn:aws:bedrock:…:inference-profile/us.anthropic.claude-…-v1:0</c> and
    /// <c>us.anthropic.claude-…-v1:0</c> → <c>anthropic.claude-…</c>.
    /// </summary>
    public static ReadOnlySpan<char> BedrockBaseModel(ReadOnlySpan<char> id)
    {
        if (id.StartsWith("arn:", StringComparison.OrdinalIgnoreCase))
        {
            var slash = id.LastIndexOf('/');
            id = slash >= 0 ? id[(slash + 1)..] : id;
        }

        var dot = id.IndexOf('.');
        if (dot > 0 && id[(dot + 1)..].Contains('.') && IsBedrockGeography(id[..dot]))
        {
            id = id[(dot + 1)..];
        }

        // Context-window variants (":200k", ":28k") and throughput versions (":0") after the version.
        var versioned = false;
        while (true)
        {
            var colon = id.LastIndexOf(':');
            if (colon <= 0 || !IsVersionPart(id[(colon + 1)..]))
            {
                break;
            }

            id = id[..colon];
            versioned = true;
        }

        // "-v1", "-v2"; before a ":0", also a bare "-1" ("openai.gpt-oss-120b-1:0"), which elsewhere could be part of the
        // name ("mistral.mistral-large-2402").
        var dash = id.LastIndexOf('-');
        if (dash > 0 && id.Length - dash >= 2)
        {
            var version = id[(dash + 1)..];
            if ((version.Length >= 2 && version[0] is 'v' or 'V' && AllDigits(version[1..])) || (versioned && version.Length <= 2 && AllDigits(version)))
            {
                id = id[..dash];
            }
        }

        return id;

        static bool IsVersionPart(ReadOnlySpan<char> part) =>
            part.Length > 0 && (AllDigits(part) || (part[^1] is 'k' or 'K' && part.Length > 1 && AllDigits(part[..^1])));
    }

    /// <summary>Removes Vertex AI's <c>@version</c> suffix (<c>claude-sonnet-4-5@20250929</c>, <c>gemini-2.0-flash@001</c>).</summary>
    public static ReadOnlySpan<char> StripVertexVersion(ReadOnlySpan<char> id)
    {
        var at = id.IndexOf('@');
        return at > 0 ? id[..at] : id;
    }

    /// <summary>The provider whose entries price an OpenRouter <c>vendor/model</c> id, or <see langword="null"/>.</summary>
    public static string? OpenRouterVendor(ReadOnlySpan<char> vendor) =>
        vendor.Equals("openai", StringComparison.OrdinalIgnoreCase) ? LlmProviders.OpenAI
        : vendor.Equals("anthropic", StringComparison.OrdinalIgnoreCase) ? LlmProviders.Anthropic
        : vendor.Equals("google", StringComparison.OrdinalIgnoreCase) ? LlmProviders.GcpGemini
        : vendor.Equals("mistralai", StringComparison.OrdinalIgnoreCase) ? LlmProviders.MistralAI
        : vendor.Equals("deepseek", StringComparison.OrdinalIgnoreCase) ? LlmProviders.DeepSeek
        : vendor.Equals("x-ai", StringComparison.OrdinalIgnoreCase) ? LlmProviders.XAI
        : null;

    private static bool AllDigits(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');
}
