using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.Sample;

/// <summary>
/// Reads the reply text the way an application would. The SDK reads usage from the same bytes as they pass,
/// so the application reads an unchanged response and needs no extra call.
/// </summary>
internal static class ReplyReader
{
    /// <summary>Reads a JSON response: OpenAI <c>choices[0].message.content</c> or Anthropic <c>content[0].text</c>.</summary>
    public static async Task<string> ReadJsonAsync(HttpContent content, LlmProvider provider, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var root = document.RootElement;
        var text = provider == LlmProvider.OpenAI
            ? root.GetProperty("choices")[0].GetProperty("message").GetProperty("content")
            : root.GetProperty("content")[0].GetProperty("text");
        return text.GetString() ?? string.Empty;
    }

    /// <summary>Reads a server-sent event stream to its end, collecting the text deltas as they arrive.</summary>
    public static async Task<string> ReadStreamAsync(HttpContent content, LlmProvider provider, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var reply = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            // Only "data:" lines carry JSON; "event:" lines and blank separators are framing. OpenAI ends with [DONE].
            if (!line.StartsWith("data:", StringComparison.Ordinal) || line.EndsWith("[DONE]", StringComparison.Ordinal))
            {
                continue;
            }

            using var chunk = JsonDocument.Parse(line.AsMemory(5));
            reply.Append(provider == LlmProvider.OpenAI ? OpenAIDelta(chunk.RootElement) : AnthropicDelta(chunk.RootElement));
        }

        return reply.ToString();
    }

    // {"choices":[{"delta":{"content":"Hi"}}]}; the final usage chunk has "choices":[].
    private static string? OpenAIDelta(JsonElement chunk) =>
        chunk.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
        && choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var text)
        && text.ValueKind == JsonValueKind.String
            ? text.GetString()
            : null;

    // {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}}
    private static string? AnthropicDelta(JsonElement chunk) =>
        chunk.TryGetProperty("type", out var type) && type.ValueEquals("content_block_delta")
        && chunk.GetProperty("delta").TryGetProperty("text", out var text)
            ? text.GetString()
            : null;
}
