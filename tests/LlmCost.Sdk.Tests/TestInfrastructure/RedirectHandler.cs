using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests;

/// <summary>
/// Sends every request to the stub: rewrites the scheme, host and port of the request URI (path and query stay).
/// Placed after the cost handler, so the cost handler sees the real provider host (api.openai.com, api.anthropic.com).
/// </summary>
internal sealed class RedirectHandler : DelegatingHandler
{
    private readonly Uri _target;
    private readonly Action? _onResponseHeaders;

    /// <summary>Initializes a new instance of the <see cref="RedirectHandler"/> class.</summary>
    /// <param name="target">The stub's base address.</param>
    /// <param name="onResponseHeaders">Called when a response's headers have arrived (before its body is read).</param>
    public RedirectHandler(Uri target, Action? onResponseHeaders = null)
    {
        _target = target;
        _onResponseHeaders = onResponseHeaders;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Redirect(request);
        var response = await base.SendAsync(request, cancellationToken);
        _onResponseHeaders?.Invoke();
        return response;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Redirect(request);
        var response = base.Send(request, cancellationToken);
        _onResponseHeaders?.Invoke();
        return response;
    }

    private void Redirect(HttpRequestMessage request)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = _target.Scheme, Host = _target.Host, Port = _target.Port }.Uri;
        }
    }
}
