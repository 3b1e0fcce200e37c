using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests;

/// <summary>A handler that throws one given exception, to stand for a failing handler after the cost handler.</summary>
internal sealed class ThrowingHandler : DelegatingHandler
{
    private readonly Exception _exception;

    public ThrowingHandler(Exception exception) => _exception = exception;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw _exception;

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw _exception;
}
