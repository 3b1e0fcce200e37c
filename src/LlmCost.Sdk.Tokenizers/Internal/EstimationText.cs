using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.Tokenizers;

/// <summary>What a JSON string value is to token estimation.</summary>
internal enum TextKind : byte
{
    /// <summary>Not text the model reads or writes (ids, model names, types, URLs, base64 data).</summary>
    None,

    /// <summary>Text that is tokenized (a message's content, a content part's text, a streamed delta).</summary>
    Text,

    /// <summary>Text that is a message by itself (a top-level <c>system</c>, <c>instructions</c>, <c>input</c> or <c>prompt</c>).</summary>
    Message,

    /// <summary>A message's <c>role</c>: not counted as text, but counts a message for the per-message overhead.</summary>
    Role,
}

/// <summary>
/// Picks the text out of the bytes the core captured (a request body, a stream's raw SSE bytes), off the request path.
/// Which JSON strings are text depends on the API format and the direction (see <see cref="ClassifyRequest"/>,
/// <see cref="ClassifyOpenAIStream"/>, <see cref="ClassifyAnthropicStream"/>): message <c>content</c>, content parts'
/// <c>text</c>, tool-call <c>arguments</c>, streamed deltas; never ids, models, roles, types, URLs or image data.
/// </summary>
/// <remarks>
/// A string is named by its key (for a string in an array, the array's key) and by the key that names the object holding
/// it (its owner; an object in an array is named by the array's key); <c>objectDepth</c> is 0 for a string in the body's
/// (or an SSE event's) top-level object. Bytes cut by the capture's cap end the reading where the cut is.
/// </remarks>
internal static class EstimationText
{
    /// <summary>The text values of a request body, each on its own, and the number of messages it holds.</summary>
    public static (List<string> Values, int Messages) ReadRequest(ReadOnlySpan<byte> body, bool complete)
    {
        var values = new List<string>();
        var messages = 0;
        Walk(body, complete, (kind, value) =>
        {
            if (kind is TextKind.Role or TextKind.Message)
            {
                messages++;
            }

            if (kind is TextKind.Text or TextKind.Message)
            {
                values.Add(value);
            }
        }, ClassifyRequest);
        return (values, messages);
    }

    /// <summary>The streamed text of an SSE response (every event's data), in order, as one text.</summary>
    public static string ReadStream(ReadOnlySpan<byte> sse, bool complete, LlmApiFormat format)
    {
        Func<string, string, int, TextKind> classify = format == LlmApiFormat.Anthropic ? ClassifyAnthropicStream : ClassifyOpenAIStream;
        var text = new StringBuilder();
        while (!sse.IsEmpty)
        {
            var end = sse.IndexOf((byte)'\n');
            var lastLine = end < 0;
            var line = lastLine ? sse : sse[..end];
            sse = lastLine ? default : sse[(end + 1)..];
            line = line.TrimEnd((byte)'\r');
            if (!line.StartsWith("data:"u8))
            {
                continue;
            }

            var data = line["data:".Length..].TrimStart((byte)' ');
            if (data.IsEmpty || data[0] != (byte)'{')
            {
                continue; // OpenAI's [DONE]
            }

            Walk(data, complete || !lastLine, (kind, value) =>
            {
                if (kind == TextKind.Text)
                {
                    text.Append(value);
                }
            }, classify);
        }

        return text.ToString();
    }

    /// <summary>
    /// Request bodies of both formats: message <c>content</c> strings, content parts' <c>text</c>, earlier tool calls'
    /// <c>arguments</c>, and the top-level <c>system</c> (Anthropic), <c>instructions</c> and <c>input</c> (Responses) and
    /// <c>prompt</c> (legacy completions). Tool definitions are not counted.
    /// </summary>
    public static TextKind ClassifyRequest(string key, string owner, int objectDepth)
    {
        if (objectDepth == 0)
        {
            return key is "system" or "instructions" or "input" or "prompt" ? TextKind.Message : TextKind.None;
        }

        return key == "role" ? TextKind.Role
            : key is "content" or "text" || (key == "arguments" && owner == "function") ? TextKind.Text
            : TextKind.None;
    }

    /// <summary>
    /// OpenAI-format streams: Chat Completions' <c>choices[].delta</c> <c>content</c>, <c>refusal</c>,
    /// <c>reasoning_content</c> and <c>reasoning</c>, tool-call <c>function.arguments</c>, legacy completions'
    /// <c>choices[].text</c>, and the Responses API's top-level <c>delta</c>. The Responses API's <c>.done</c> and
    /// <c>response.completed</c> events repeat the text under other keys and are not counted twice.
    /// </summary>
    public static TextKind ClassifyOpenAIStream(string key, string owner, int objectDepth)
    {
        if (objectDepth == 0)
        {
            return key == "delta" ? TextKind.Text : TextKind.None;
        }

        if (owner == "delta")
        {
            return key is "content" or "refusal" or "reasoning_content" or "reasoning" ? TextKind.Text : TextKind.None;
        }

        return (key == "arguments" && owner == "function") || (key == "text" && owner == "choices") ? TextKind.Text : TextKind.None;
    }

    /// <summary>Anthropic streams: <c>content_block_delta</c>'s <c>delta.text</c>, <c>delta.partial_json</c> and <c>delta.thinking</c>.</summary>
    public static TextKind ClassifyAnthropicStream(string key, string owner, int objectDepth) =>
        owner == "delta" && key is "text" or "partial_json" or "thinking" ? TextKind.Text : TextKind.None;

    /// <summary>Reads one JSON document (possibly cut short) and reports each string with what it is.</summary>
    private static void Walk(ReadOnlySpan<byte> json, bool complete, Action<TextKind, string> onString, Func<string, string, int, TextKind> classify)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: complete, state: default);

        // One frame per open container: whether it is an object, and the key that names it (an array's elements are named by the array's key).
        var names = new List<string>();
        var isObject = new List<bool>();
        var objects = 0;
        var key = string.Empty;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        key = reader.GetString() ?? string.Empty;
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var start = reader.TokenType == JsonTokenType.StartObject;
                        var name = names.Count == 0 ? string.Empty : isObject[^1] ? key : names[^1];
                        names.Add(name);
                        isObject.Add(start);
                        if (start)
                        {
                            objects++;
                        }

                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        if (isObject[^1])
                        {
                            objects--;
                        }

                        names.RemoveAt(names.Count - 1);
                        isObject.RemoveAt(isObject.Count - 1);
                        break;
                    case JsonTokenType.String when names.Count > 0:
                        string stringKey, owner;
                        if (isObject[^1])
                        {
                            stringKey = key;
                            owner = names[^1];
                        }
                        else
                        {
                            stringKey = names[^1];
                            owner = names.Count > 1 ? names[^2] : string.Empty;
                        }

                        var kind = classify(stringKey, owner, objects - 1);
                        if (kind != TextKind.None)
                        {
                            onString(kind, kind == TextKind.Role ? string.Empty : reader.GetString() ?? string.Empty);
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed or cut where the reader cannot go on: what was read so far counts.
        }
    }
}
