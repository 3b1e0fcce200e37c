using System.Text;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Deterministic, real-shaped provider payloads (OpenAI chat completions and chunks, Anthropic Messages events).
/// Built once; benchmarks only read them.
/// </summary>
internal static class Payloads
{
    public const string OpenAIModel = "gpt-4o-2024-08-06";
    public const string AnthropicModel = "claude-sonnet-4-5-20250929";

    private static readonly string[] Words =
    [
        "the", "model", "returns", "a", "streamed", "answer", "with", "tokens", "that", "arrive", "one", "by",
        "one", "and", "each", "chunk", "carries", "only", "delta", "text", "so", "cost", "tracking", "must",
        "read", "usage", "without", "buffering", "response", "bytes", "latency", "budget", "customer", "feature",
    ];

    /// <summary>The request body the app sends (small JSON with <c>model</c>).</summary>
    public static readonly byte[] OpenAIRequest = Encoding.UTF8.GetBytes(
        """{"model":"gpt-4o","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Summarize the ticket in one sentence."}],"temperature":0.2,"stream_options":{"include_usage":true}}""");

    /// <summary>A typical non-streaming chat completion (short answer, usage at the end).</summary>
    public static byte[] OpenAIChatCompletion(int contentBytes) => Encoding.UTF8.GetBytes(
        "{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion\",\"created\":1741569952,"
        + "\"model\":\"" + OpenAIModel + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
        + Text(contentBytes, escapes: true)
        + "\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":350,\"total_tokens\":1550,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":1024,\"audio_tokens\":0},"
        + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
        + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_fc9f1d7035\"}");

    /// <summary>
    /// An OpenAI chat stream with <c>stream_options.include_usage</c>: <paramref name="chunks"/> chunk events (role chunk,
    /// content chunks, finish chunk, then the usage chunk with empty choices), followed by <c>data: [DONE]</c>.
    /// </summary>
    /// <param name="chunks">The number of <c>chat.completion.chunk</c> events, at least 3.</param>
    /// <param name="eventEnds">The end offset of every event (chunks and [DONE]), to replay one event per read.</param>
    public static byte[] OpenAIChatStream(int chunks, out int[] eventEnds)
    {
        const string Prefix = "data: {\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,\"model\":\""
            + OpenAIModel + "\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_fc9f1d7035\",\"choices\":";
        var events = new List<string>(chunks + 1)
        {
            Prefix + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
        };
        for (var i = 1; i < chunks - 2; i++)
        {
            events.Add(Prefix + "[{\"index\":0,\"delta\":{\"content\":\" " + Words[i % Words.Length] + "\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }

        events.Add(Prefix + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        events.Add(Prefix + "[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":" + (chunks - 3).ToString(System.Globalization.CultureInfo.InvariantCulture)
            + ",\"total_tokens\":1550,\"prompt_tokens_details\":{\"cached_tokens\":1024,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n");
        events.Add("data: [DONE]\n\n");
        return Join(events, out eventEnds);
    }

    /// <summary>OpenAI chat chunks until the stream is at least <paramref name="targetBytes"/> long.</summary>
    public static byte[] OpenAIChatStreamOfSize(int targetBytes, out int[] eventEnds)
    {
        // One content chunk is ~300 bytes; estimate, then build exactly.
        var chunks = Math.Max(3, (targetBytes / 300) + 3);
        return OpenAIChatStream(chunks, out eventEnds);
    }

    /// <summary>An Anthropic Messages stream (message_start … message_delta with usage … message_stop) of about the given size.</summary>
    public static byte[] AnthropicMessageStreamOfSize(int targetBytes, out int[] eventEnds)
    {
        var events = new List<string>
        {
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\""
                + AnthropicModel + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":2095,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":1024,\"output_tokens\":1,\"service_tier\":\"standard\"}}}\n\n",
            "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        };
        var size = events.Sum(e => e.Length);
        var i = 0;
        while (size < targetBytes)
        {
            var e = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" "
                + Words[i++ % Words.Length] + " " + Words[(i * 7) % Words.Length] + "\"}}\n\n";
            events.Add(e);
            size += e.Length;
        }

        events.Add("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        events.Add("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":"
            + (i * 2).ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}\n\n");
        events.Add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return Join(events, out eventEnds);
    }

    /// <summary>Assistant-like text as JSON string content (escaped newlines and quotes, as real answers have).</summary>
    private static string Text(int bytes, bool escapes)
    {
        var sb = new StringBuilder(bytes + 16);
        var i = 0;
        while (sb.Length < bytes)
        {
            sb.Append(Words[(i * 13) % Words.Length]);
            i++;
            if (escapes && i % 40 == 0)
            {
                sb.Append("\\n\\n");
            }
            else if (escapes && i % 97 == 0)
            {
                sb.Append(" \\\"quoted\\\"");
            }

            sb.Append(i % 15 == 0 ? ". " : " ");
        }

        return sb.ToString();
    }

    private static byte[] Join(List<string> events, out int[] eventEnds)
    {
        eventEnds = new int[events.Count];
        var buffer = new List<byte>(events.Sum(e => e.Length));
        for (var i = 0; i < events.Count; i++)
        {
            buffer.AddRange(Encoding.UTF8.GetBytes(events[i]));
            eventEnds[i] = buffer.Count;
        }

        return [.. buffer];
    }
}
