using System.Net;
using System.Net.Http.Headers;

namespace LlmCost.Sdk.Tests;

/// <summary>A terminal handler that answers without a network, replaying a payload; it records the request body it was sent.</summary>
internal sealed class FakeProviderHandler : HttpMessageHandler
{
    public FakeProviderHandler(byte[] body, string mediaType = "application/json", HttpStatusCode status = HttpStatusCode.OK)
    {
        Respond = _ => Response(body, mediaType, status);
    }

    public Func<HttpRequestMessage, HttpResponseMessage> Respond { get; set; }

    public byte[]? LastRequestBody { get; private set; }

    public int Calls { get; private set; }

    public static HttpResponseMessage Response(byte[] body, string mediaType = "application/json", HttpStatusCode status = HttpStatusCode.OK)
    {
        var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Headers.ContentLength = body.Length;
        content.Headers.Add("X-Test-Header", "kept");
        return new HttpResponseMessage(status) { Content = content };
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Calls++;
        if (request.Content is not null)
        {
            using var body = new MemoryStream();
            request.Content.CopyTo(body, null, cancellationToken);
            LastRequestBody = body.ToArray();
        }

        var response = Respond(request);
        response.RequestMessage = request;
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Calls++;
        if (request.Content is not null)
        {
            LastRequestBody = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        var response = Respond(request);
        response.RequestMessage = request;
        return response;
    }
}
