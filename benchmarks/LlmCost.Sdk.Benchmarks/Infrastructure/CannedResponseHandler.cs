using System.Net;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// The terminal handler: no network. It sends the request body to nowhere (as a transport would serialize it, so
/// request observation runs) and answers with a fresh response whose content streams a pre-built payload.
/// </summary>
internal sealed class CannedResponseHandler : HttpMessageHandler
{
    private readonly byte[] _body;
    private readonly int[]? _eventEnds;
    private readonly string _mediaType;

    /// <param name="body">The response body.</param>
    /// <param name="eventEnds">For SSE, the end offset of each event (one event per read); <see langword="null"/> for JSON.</param>
    public CannedResponseHandler(byte[] body, int[]? eventEnds)
    {
        _body = body;
        _eventEnds = eventEnds;
        _mediaType = eventEnds is null ? "application/json" : "text/event-stream";
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            await content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        Stream stream = _eventEnds is null ? new MemoryStream(_body, writable: false) : new EventChunkStream(_body, _eventEnds);
        var responseContent = new StreamContent(stream);
        responseContent.Headers.TryAddWithoutValidation("Content-Type", _mediaType);
        if (_eventEnds is null)
        {
            responseContent.Headers.ContentLength = _body.Length;
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = responseContent, RequestMessage = request };
    }
}

/// <summary>The baseline: a delegating handler that does nothing.</summary>
internal sealed class PassThroughHandler : DelegatingHandler
{
    public PassThroughHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }
}
