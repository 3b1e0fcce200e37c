using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.Sample.Simulation;

/// <summary>What the simulator needs from an OpenAI or Anthropic request body.</summary>
/// <param name="Id">A stable id derived from the body, so the same request gets the same response id.</param>
/// <param name="InputTokens">The simulated input size: about one token per four bytes of the body.</param>
/// <param name="MaxOutputTokens">The request's cap on output tokens.</param>
/// <param name="Stream">Whether the request asked for a stream (<c>"stream": true</c>).</param>
/// <param name="IncludeUsage">Whether an OpenAI stream should end with a usage chunk (<c>stream_options.include_usage</c>).</param>
/// <param name="SystemPrompt">The system prompt: the prefix that prompt caching can reuse.</param>
/// <param name="CacheSystemPrompt">Whether an Anthropic system block carries a <c>cache_control</c> breakpoint.</param>
internal sealed record SimulatedRequest(
    string Id,
    int InputTokens,
    int MaxOutputTokens,
    bool Stream,
    bool IncludeUsage,
    string SystemPrompt,
    bool CacheSystemPrompt)
{
    /// <summary>Roughly four bytes of English text per token: close enough for a simulation, and deterministic.</summary>
    public static int Tokens(string text) => (Encoding.UTF8.GetByteCount(text) + 3) / 4;

    public static SimulatedRequest Parse(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var (systemPrompt, cacheSystemPrompt) = ReadSystemPrompt(root);
        return new SimulatedRequest(
            Id: Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)))[..24],
            InputTokens: Tokens(body),
            MaxOutputTokens: Int(root, "max_completion_tokens") ?? Int(root, "max_tokens") ?? 1024,
            Stream: root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True,
            IncludeUsage: root.TryGetProperty("stream_options", out var options)
                && options.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True,
            SystemPrompt: systemPrompt,
            CacheSystemPrompt: cacheSystemPrompt);
    }

    private static (string Text, bool Cached) ReadSystemPrompt(JsonElement root)
    {
        // Anthropic: "system" is a string or an array of text blocks, some with "cache_control".
        if (root.TryGetProperty("system", out var system))
        {
            if (system.ValueKind == JsonValueKind.String)
            {
                return (system.GetString() ?? string.Empty, false);
            }

            var blocks = system.EnumerateArray().ToList();
            return (string.Concat(blocks.Select(b => b.GetProperty("text").GetString())), blocks.Any(b => b.TryGetProperty("cache_control", out _)));
        }

        // OpenAI: the first message, when its role is "system" (or "developer").
        if (root.TryGetProperty("messages", out var messages) && messages.GetArrayLength() > 0
            && messages[0].GetProperty("role").GetString() is "system" or "developer")
        {
            return (messages[0].GetProperty("content").GetString() ?? string.Empty, false);
        }

        return (string.Empty, false);
    }

    private static int? Int(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
}
