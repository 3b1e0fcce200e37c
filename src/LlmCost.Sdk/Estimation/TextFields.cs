namespace LlmCost.Sdk;

/// <summary>What a JSON string value is to token estimation.</summary>
internal enum TextKind : byte
{
    /// <summary>Not text the model reads or writes (ids, model names, types, URLs, base64 data): not captured.</summary>
    None,

    /// <summary>Text that is tokenized (a message's content, a content part's text, a streamed delta).</summary>
    Text,

    /// <summary>Text that is a message by itself (a top-level <c>system</c>, <c>instructions</c>, <c>input</c> or <c>prompt</c>).</summary>
    Message,

    /// <summary>A message's <c>role</c>: not captured, but counts a message for the per-message overhead.</summary>
    Role,
}

/// <summary>
/// Which JSON strings of a body are text, per provider format and direction. The SDK knows the format of a call from
/// its target's <see cref="UsageMapping"/>: OpenAI's (Chat Completions, Responses, legacy completions and the
/// OpenAI-compatible APIs) or Anthropic's (Messages, also on Vertex AI). Other formats are not estimated.
/// </summary>
/// <remarks>
/// A string is named by its key (for a string in an array, the array's key) and the key that names the object holding
/// it (its owner); <c>objectDepth</c> is 0 for a string in the body's (or an SSE event's) top-level object.
/// Mappings are stateless singletons.
/// </remarks>
internal abstract class TextFields
{
    private static readonly ulong Content = JsonPath.Hash("content"u8);
    private static readonly ulong Text = JsonPath.Hash("text"u8);
    private static readonly ulong Role = JsonPath.Hash("role"u8);
    private static readonly ulong System = JsonPath.Hash("system"u8);
    private static readonly ulong Instructions = JsonPath.Hash("instructions"u8);
    private static readonly ulong Input = JsonPath.Hash("input"u8);
    private static readonly ulong Prompt = JsonPath.Hash("prompt"u8);
    private static readonly ulong Arguments = JsonPath.Hash("arguments"u8);
    private static readonly ulong Function = JsonPath.Hash("function"u8);
    private static readonly ulong Delta = JsonPath.Hash("delta"u8);
    private static readonly ulong Refusal = JsonPath.Hash("refusal"u8);
    private static readonly ulong ReasoningContent = JsonPath.Hash("reasoning_content"u8);
    private static readonly ulong Reasoning = JsonPath.Hash("reasoning"u8);
    private static readonly ulong Choices = JsonPath.Hash("choices"u8);
    private static readonly ulong PartialJson = JsonPath.Hash("partial_json"u8);
    private static readonly ulong Thinking = JsonPath.Hash("thinking"u8);

    /// <summary>
    /// Request bodies of both formats: message <c>content</c> strings, content parts' <c>text</c>, earlier tool calls'
    /// <c>arguments</c>, and the top-level <c>system</c> (Anthropic), <c>instructions</c> and <c>input</c> (Responses) and
    /// <c>prompt</c> (legacy completions). Never <c>model</c>, <c>role</c>, <c>type</c>, ids, URLs or base64 image data
    /// (those sit under other keys: <c>url</c>, <c>image_url</c>, <c>data</c>). Tool definitions are not counted.
    /// </summary>
    public static readonly TextFields Request = new RequestFields();

    /// <summary>
    /// OpenAI-format streams: Chat Completions' <c>choices[].delta</c> <c>content</c>, <c>refusal</c> and the
    /// <c>reasoning_content</c> / <c>reasoning</c> of OpenAI-compatible reasoning models, tool-call
    /// <c>function.arguments</c>, legacy completions' <c>choices[].text</c>, and the Responses API's top-level
    /// <c>delta</c> (<c>response.output_text.delta</c>, <c>response.function_call_arguments.delta</c>, …). The
    /// Responses API's <c>.done</c> and <c>response.completed</c> events repeat the text under other keys and are not counted twice.
    /// </summary>
    public static readonly TextFields OpenAIResponse = new OpenAIResponseFields();

    /// <summary>Anthropic streams: <c>content_block_delta</c>'s <c>delta.text</c>, <c>delta.partial_json</c> and <c>delta.thinking</c>.</summary>
    public static readonly TextFields AnthropicResponse = new AnthropicResponseFields();

    /// <summary>Names the string at this place.</summary>
    public abstract TextKind Classify(ulong key, ulong owner, int objectDepth);

    /// <summary>Gets the request fields for a call's format, or <see langword="null"/> when its format is not estimated.</summary>
    public static TextFields? RequestFor(UsageMapping mapping) =>
        mapping is OpenAIUsageMapping or AnthropicUsageMapping ? Request : null;

    /// <summary>Gets the streamed response fields for a call's format, or <see langword="null"/> when its format is not estimated.</summary>
    public static TextFields? ResponseFor(UsageMapping mapping) =>
        mapping is OpenAIUsageMapping ? OpenAIResponse
        : mapping is AnthropicUsageMapping ? AnthropicResponse
        : null;

    private sealed class RequestFields : TextFields
    {
        public override TextKind Classify(ulong key, ulong owner, int objectDepth)
        {
            if (objectDepth == 0)
            {
                return key == System || key == Instructions || key == Input || key == Prompt ? TextKind.Message : TextKind.None;
            }

            return key == Role ? TextKind.Role
                : key == Content || key == Text || (key == Arguments && owner == Function) ? TextKind.Text
                : TextKind.None;
        }
    }

    private sealed class OpenAIResponseFields : TextFields
    {
        public override TextKind Classify(ulong key, ulong owner, int objectDepth)
        {
            if (objectDepth == 0)
            {
                return key == Delta ? TextKind.Text : TextKind.None;
            }

            if (owner == Delta)
            {
                return key == Content || key == Refusal || key == ReasoningContent || key == Reasoning ? TextKind.Text : TextKind.None;
            }

            return (key == Arguments && owner == Function) || (key == Text && owner == Choices) ? TextKind.Text : TextKind.None;
        }
    }

    private sealed class AnthropicResponseFields : TextFields
    {
        public override TextKind Classify(ulong key, ulong owner, int objectDepth) =>
            owner == Delta && (key == Text || key == PartialJson || key == Thinking) ? TextKind.Text : TextKind.None;
    }
}
