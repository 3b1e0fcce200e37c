using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.Sample.Simulation;

/// <summary>
/// Answers <c>POST /v1/chat/completions</c> like OpenAI: a Chat Completions JSON body, or a server-sent event stream of
/// chunks. The shapes are copied from real responses (tests/LlmCost.Sdk.Tests/Payloads/openai-chat*.json|.sse).
/// </summary>
internal static class OpenAISimulator
{
    private const string Model = "gpt-4o-2024-08-06";

    public static HttpContent Respond(SimulatedRequest request, SimulatedPromptCache cache)
    {
        // OpenAI caches by itself: a prompt of 1,024 tokens or more whose prefix an earlier call sent is partly
        // read from the cache, in 128-token steps, and reported as prompt_tokens_details.cached_tokens.
        var prefixTokens = SimulatedRequest.Tokens(request.SystemPrompt);
        var cached = prefixTokens >= 1024 && cache.TryRead("openai", request.SystemPrompt) ? prefixTokens / 128 * 128 : 0;

        var output = SimulatedReply.OutputTokens(request);
        var tokens = SimulatedReply.Tokens(output);
        var finishReason = output == request.MaxOutputTokens ? "length" : "stop";
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var id = "chatcmpl-" + request.Id;

        // prompt_tokens counts every input token, cached ones included; completion_tokens includes reasoning tokens.
        var usage = new
        {
            prompt_tokens = request.InputTokens,
            completion_tokens = output,
            total_tokens = request.InputTokens + output,
            prompt_tokens_details = new { cached_tokens = cached, audio_tokens = 0 },
            completion_tokens_details = new { reasoning_tokens = 0, audio_tokens = 0, accepted_prediction_tokens = 0, rejected_prediction_tokens = 0 },
        };

        if (!request.Stream)
        {
            var json = $$"""
                {
                  "id": "{{id}}",
                  "object": "chat.completion",
                  "created": {{created}},
                  "model": "{{Model}}",
                  "choices": [
                    {
                      "index": 0,
                      "message": {
                        "role": "assistant",
                        "content": {{JsonSerializer.Serialize(string.Concat(tokens))}},
                        "refusal": null,
                        "annotations": []
                      },
                      "logprobs": null,
                      "finish_reason": "{{finishReason}}"
                    }
                  ],
                  "usage": {
                    "prompt_tokens": {{usage.prompt_tokens}},
                    "completion_tokens": {{usage.completion_tokens}},
                    "total_tokens": {{usage.total_tokens}},
                    "prompt_tokens_details": {
                      "cached_tokens": {{cached}},
                      "audio_tokens": 0
                    },
                    "completion_tokens_details": {
                      "reasoning_tokens": 0,
                      "audio_tokens": 0,
                      "accepted_prediction_tokens": 0,
                      "rejected_prediction_tokens": 0
                    }
                  },
                  "service_tier": "default",
                  "system_fingerprint": "fp_ee1d74bde0"
                }
                """;
            return new StringContent(json, Encoding.UTF8, "application/json");
        }

        // A stream: one chunk per token. With stream_options.include_usage every chunk carries "usage": null and a last
        // chunk with no choices carries the usage; without it there is no usage anywhere in the stream.
        var sse = new StringBuilder();
        void Chunk(object[] choices, object? chunkUsage = null)
        {
            var chunk = new Dictionary<string, object?>
            {
                ["id"] = id,
                ["object"] = "chat.completion.chunk",
                ["created"] = created,
                ["model"] = Model,
                ["service_tier"] = "default",
                ["system_fingerprint"] = "fp_ee1d74bde0",
                ["choices"] = choices,
            };
            if (request.IncludeUsage)
            {
                chunk["usage"] = chunkUsage;
            }

            sse.Append("data: ").Append(JsonSerializer.Serialize(chunk)).Append("\n\n");
        }

        Chunk([new { index = 0, delta = new { role = "assistant", content = "", refusal = (string?)null }, logprobs = (object?)null, finish_reason = (string?)null }]);
        foreach (var token in tokens)
        {
            Chunk([new { index = 0, delta = new { content = token }, logprobs = (object?)null, finish_reason = (string?)null }]);
        }

        Chunk([new { index = 0, delta = new { }, logprobs = (object?)null, finish_reason = finishReason }]);
        if (request.IncludeUsage)
        {
            Chunk([], usage);
        }

        sse.Append("data: [DONE]\n\n");
        return new StringContent(sse.ToString(), Encoding.UTF8, "text/event-stream");
    }
}
