using System.Globalization;
using System.Text;

namespace LlmCost.Sdk;

/// <summary>
/// Clamps a request's max-tokens field to a ceiling. Only the field's number changes (or, when the request has none and
/// the provider takes a top-level field, one field is added after the opening brace); every other byte is kept.
/// </summary>
/// <remarks>
/// The field rewritten is the one the request carries: <c>max_completion_tokens</c> or <c>max_tokens</c> (OpenAI Chat
/// Completions, Azure OpenAI and OpenAI-compatible providers), <c>max_output_tokens</c> (OpenAI Responses),
/// <c>max_tokens</c> (Anthropic Messages, also on Bedrock and Vertex AI), <c>generationConfig.maxOutputTokens</c>
/// (Gemini, Vertex AI), <c>inferenceConfig.maxTokens</c> (Bedrock Converse). A request without one gets
/// <c>max_completion_tokens</c> (OpenAI and Azure OpenAI Chat Completions), <c>max_output_tokens</c> (Responses) or
/// <c>max_tokens</c> (Anthropic and other chat providers); Gemini and Bedrock requests without one are left alone.
/// </remarks>
internal static class TokenCeiling
{
    public static byte[] Rewrite(ReadOnlySpan<byte> body, in RequestShape shape, long ceiling)
    {
        var digits = Encoding.ASCII.GetBytes(ceiling.ToString(CultureInfo.InvariantCulture));
        var result = new byte[body.Length - shape.MaxTokensLength + digits.Length];
        body[..shape.MaxTokensStart].CopyTo(result);
        digits.CopyTo(result.AsSpan(shape.MaxTokensStart));
        body[(shape.MaxTokensStart + shape.MaxTokensLength)..].CopyTo(result.AsSpan(shape.MaxTokensStart + digits.Length));
        return result;
    }

    /// <summary>The body with the field added after its opening brace, or <see langword="null"/> when the body is not a JSON object.</summary>
    public static byte[]? Insert(ReadOnlySpan<byte> body, in RequestShape shape, string field, long ceiling)
    {
        if (shape.ObjectStart < 0)
        {
            return null;
        }

        var insert = Encoding.UTF8.GetBytes("\"" + field + "\":" + ceiling.ToString(CultureInfo.InvariantCulture) + ",");
        var at = shape.ObjectStart + 1;
        var result = new byte[body.Length + insert.Length];
        body[..at].CopyTo(result);
        insert.CopyTo(result.AsSpan(at));
        body[at..].CopyTo(result.AsSpan(at + insert.Length));
        return result;
    }

    /// <summary>The top-level field a request without one gets, or <see langword="null"/> when the provider nests it.</summary>
    public static string? FieldToAdd(in LlmCallTarget target, Uri? uri)
    {
        var path = uri?.AbsolutePath ?? string.Empty;
        if (path.EndsWith("/responses", StringComparison.Ordinal))
        {
            return "max_output_tokens";
        }

        if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            return target.Provider is LlmProviders.OpenAI or LlmProviders.AzureOpenAI ? "max_completion_tokens" : "max_tokens";
        }

        return path.EndsWith("/messages", StringComparison.Ordinal) ? "max_tokens" : null;
    }

    /// <summary>
    /// Puts the rewritten body in the request, with the original content's headers (its length recomputed); observed by
    /// <paramref name="call"/> when the tracking handler checks it (the outermost handler's check has no observation yet).
    /// </summary>
    public static void Replace(HttpRequestMessage request, CallObservation? call, byte[] body)
    {
        var original = request.Content is ObservedRequestContent observed ? observed.Inner : request.Content;
        var content = new ByteArrayContent(body);
        if (original is not null)
        {
            foreach (var header in original.Headers.NonValidated)
            {
                if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }
        }

        request.Content = call is null ? content : new ObservedRequestContent(content, call);
    }
}
