using System.Text;

namespace LlmCost.Sdk.Sample;

/// <summary>Sends a <see cref="PlannedCall"/> with the provider's named <see cref="HttpClient"/> and reads the reply fully.</summary>
internal sealed class ChatCaller
{
    private readonly IHttpClientFactory _clients;
    private readonly IReadOnlyList<ProviderSetup> _providers;

    public ChatCaller(IHttpClientFactory clients, IReadOnlyList<ProviderSetup> providers)
    {
        _clients = clients;
        _providers = providers;
    }

    /// <summary>Makes the call and returns the reply text.</summary>
    /// <exception cref="HttpRequestException">The provider answered with an error status.</exception>
    public async Task<string> SendAsync(PlannedCall call, CancellationToken cancellationToken = default)
    {
        var provider = _providers.Single(p => p.Provider == call.Provider);
        var body = call.Provider == LlmProvider.OpenAI
            ? ChatRequests.OpenAI(call, provider.Model)
            : ChatRequests.Anthropic(call, provider.Model);

        // A plain HttpClient from IHttpClientFactory: the cost-tracking handler is already in its pipeline.
        var client = _clients.CreateClient(provider.ClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, provider.RequestPath)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };

        // ResponseHeadersRead returns as soon as headers arrive, so a stream can be read as it is produced.
        // The call is recorded when the body has been read to its end (or the response is disposed).
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return call.Streaming
            ? await ReplyReader.ReadStreamAsync(response.Content, call.Provider, cancellationToken)
            : await ReplyReader.ReadJsonAsync(response.Content, call.Provider, cancellationToken);
    }
}
