using System.Net;

namespace LlmCost.Sdk.Sample.Simulation;

/// <summary>
/// An offline stand-in for api.openai.com and api.anthropic.com, used as the primary (innermost) handler of the
/// sample's HttpClients. The SDK's handler runs before it exactly as it would run before the network.
/// </summary>
/// <remarks>
/// Token counts are derived from the request size, so every run reports the same usage and the same cost.
/// </remarks>
internal sealed class SimulatedLlmProvider : HttpMessageHandler
{
    private readonly SimulatedPromptCache _cache;

    public SimulatedLlmProvider(SimulatedPromptCache cache) => _cache = cache;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "{}" : await request.Content.ReadAsStringAsync(cancellationToken);
        var uri = request.RequestUri;
        var content = (request.Method.Method, uri?.Host, uri?.AbsolutePath) switch
        {
            ("POST", "api.openai.com", "/v1/chat/completions") => OpenAISimulator.Respond(SimulatedRequest.Parse(body), _cache),
            ("POST", "api.anthropic.com", "/v1/messages") => AnthropicSimulator.Respond(SimulatedRequest.Parse(body), _cache),
            _ => null,
        };

        return content is null
            ? new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request }
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}
