using System.Text.Json.Nodes;

namespace LlmCost.Sdk.Sample;

/// <summary>Builds request bodies in each provider's own JSON format. No provider SDK is needed: the SDK works on HTTP.</summary>
internal static class ChatRequests
{
    /// <summary>An OpenAI Chat Completions request (<c>POST /v1/chat/completions</c>).</summary>
    public static JsonObject OpenAI(PlannedCall call, string model)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["max_completion_tokens"] = call.MaxOutputTokens,
            ["messages"] = new JsonArray
            {
                new JsonObject { ["role"] = "system", ["content"] = call.Instructions },
                new JsonObject { ["role"] = "user", ["content"] = call.Prompt },
            },
        };

        if (call.Streaming)
        {
            body["stream"] = true;

            // Without this, OpenAI streams carry no usage at all and the SDK cannot price the call.
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body;
    }

    /// <summary>An Anthropic Messages request (<c>POST /v1/messages</c>).</summary>
    public static JsonObject Anthropic(PlannedCall call, string model)
    {
        var system = new JsonObject { ["type"] = "text", ["text"] = call.Instructions };
        if (call.CacheInstructions)
        {
            // A cache breakpoint: the first call writes the prefix to the cache, later calls read it.
            // The SDK prices cache writes and cache reads at their own rates.
            system["cache_control"] = new JsonObject { ["type"] = "ephemeral" };
        }

        var body = new JsonObject
        {
            ["model"] = model,
            ["max_tokens"] = call.MaxOutputTokens,
            ["system"] = new JsonArray { system },
            ["messages"] = new JsonArray
            {
                new JsonObject { ["role"] = "user", ["content"] = call.Prompt },
            },
        };

        if (call.Streaming)
        {
            body["stream"] = true;
        }

        return body;
    }
}
