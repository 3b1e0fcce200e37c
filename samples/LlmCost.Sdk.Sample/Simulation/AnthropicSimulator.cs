using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.Sample.Simulation;

/// <summary>
/// Answers <c>POST /v1/messages</c> like Anthropic: a Messages JSON body, or a server-sent event stream
/// (message_start … content_block_delta … message_delta, message_stop). The shapes are copied from real responses
/// (tests/LlmCost.Sdk.Tests/Payloads/anthropic-messages*.json|.sse).
/// </summary>
internal static class AnthropicSimulator
{
    private const string Model = "claude-sonnet-4-5-20250929";

    public static HttpContent Respond(SimulatedRequest request, SimulatedPromptCache cache)
    {
        // Anthropic caches only what the request marks with cache_control: the first call writes the prefix
        // (cache_creation_input_tokens), later calls read it (cache_read_input_tokens).
        var prefixTokens = SimulatedRequest.Tokens(request.SystemPrompt);
        var cacheRead = 0;
        var cacheWrite = 0;
        if (request.CacheSystemPrompt && prefixTokens >= 1024)
        {
            if (cache.TryRead("anthropic", request.SystemPrompt))
            {
                cacheRead = prefixTokens;
            }
            else
            {
                cacheWrite = prefixTokens;
            }
        }

        // Unlike OpenAI, Anthropic's input_tokens leaves out the cached and cache-written tokens;
        // the SDK adds them back so that inputTokens means "all input" for every provider.
        var input = request.InputTokens - cacheRead - cacheWrite;
        var output = SimulatedReply.OutputTokens(request);
        var tokens = SimulatedReply.Tokens(output);
        var stopReason = output == request.MaxOutputTokens ? "max_tokens" : "end_turn";
        var id = "msg_" + request.Id;

        if (!request.Stream)
        {
            var json = $$"""
                {
                  "model": "{{Model}}",
                  "id": "{{id}}",
                  "type": "message",
                  "role": "assistant",
                  "content": [
                    {
                      "type": "text",
                      "text": {{JsonSerializer.Serialize(string.Concat(tokens))}}
                    }
                  ],
                  "stop_reason": "{{stopReason}}",
                  "stop_sequence": null,
                  "usage": {
                    "input_tokens": {{input}},
                    "cache_creation_input_tokens": {{cacheWrite}},
                    "cache_read_input_tokens": {{cacheRead}},
                    "cache_creation": {
                      "ephemeral_5m_input_tokens": {{cacheWrite}},
                      "ephemeral_1h_input_tokens": 0
                    },
                    "output_tokens": {{output}},
                    "service_tier": "standard"
                  }
                }
                """;
            return new StringContent(json, Encoding.UTF8, "application/json");
        }

        // A stream: input usage comes first in message_start; the output count grows and its final,
        // cumulative value arrives in message_delta. Text arrives a few tokens per content_block_delta.
        var sse = new StringBuilder();
        void Event(string name, object data) =>
            sse.Append("event: ").Append(name).Append("\ndata: ").Append(JsonSerializer.Serialize(data)).Append("\n\n");

        Event("message_start", new
        {
            type = "message_start",
            message = new
            {
                model = Model,
                id,
                type = "message",
                role = "assistant",
                content = Array.Empty<object>(),
                stop_reason = (string?)null,
                stop_sequence = (string?)null,
                usage = new
                {
                    input_tokens = input,
                    cache_creation_input_tokens = cacheWrite,
                    cache_read_input_tokens = cacheRead,
                    cache_creation = new { ephemeral_5m_input_tokens = cacheWrite, ephemeral_1h_input_tokens = 0 },
                    output_tokens = 1,
                    service_tier = "standard",
                },
            },
        });
        Event("content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "text", text = "" } });
        Event("ping", new { type = "ping" });
        foreach (var piece in tokens.Chunk(4))
        {
            Event("content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = string.Concat(piece) } });
        }

        Event("content_block_stop", new { type = "content_block_stop", index = 0 });
        Event("message_delta", new
        {
            type = "message_delta",
            delta = new { stop_reason = stopReason, stop_sequence = (string?)null },
            usage = new { input_tokens = input, cache_creation_input_tokens = cacheWrite, cache_read_input_tokens = cacheRead, output_tokens = output },
        });
        Event("message_stop", new { type = "message_stop" });
        return new StringContent(sse.ToString(), Encoding.UTF8, "text/event-stream");
    }
}
