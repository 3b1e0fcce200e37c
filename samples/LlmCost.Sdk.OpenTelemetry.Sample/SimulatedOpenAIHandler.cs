using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.OpenTelemetry.Sample;

/// <summary>
/// Stands in for api.openai.com so the sample runs offline: answers a chat completion with a usage block sized from
/// the request (about four characters a token), after a short, made-up latency.
/// </summary>
internal sealed class SimulatedOpenAIHandler : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "{}" : await request.Content.ReadAsStringAsync(cancellationToken);
        using var json = JsonDocument.Parse(body);
        var model = json.RootElement.TryGetProperty("model", out var m) ? m.GetString() ?? "gpt-4o" : "gpt-4o";
        var inputTokens = Math.Max(8, body.Length / 4);
        var outputTokens = 40 + (inputTokens % 160);
        await Task.Delay(TimeSpan.FromMilliseconds(30 + (inputTokens % 50)), cancellationToken);

        var reply = string.Create(CultureInfo.InvariantCulture, $$"""
            {"id":"chatcmpl-sim","object":"chat.completion","model":"{{model}}-2024-08-06",
             "choices":[{"index":0,"message":{"role":"assistant","content":"(simulated reply)"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":{{inputTokens}},"completion_tokens":{{outputTokens}},"total_tokens":{{inputTokens + outputTokens}},
                      "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0} } }
            """);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(reply, Encoding.UTF8, "application/json") };
    }
}
