using System.Net;
using System.Net.Http.Headers;

namespace LlmCost.Sdk.Extensions.AI.Tests;

/// <summary>A terminal handler that answers without a network, replaying a real provider payload.</summary>
internal sealed class FakeProviderHandler : HttpMessageHandler
{
    private int _calls;

    public FakeProviderHandler(byte[] body, string mediaType = "application/json", HttpStatusCode status = HttpStatusCode.OK)
    {
        Respond = _ => Response(body, mediaType, status);
    }

    public Func<HttpRequestMessage, HttpResponseMessage> Respond { get; set; }

    public byte[]? LastRequestBody { get; private set; }

    public int Calls => Volatile.Read(ref _calls);

    public static HttpResponseMessage Response(byte[] body, string mediaType = "application/json", HttpStatusCode status = HttpStatusCode.OK)
    {
        var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Headers.ContentLength = body.Length;
        return new HttpResponseMessage(status) { Content = content };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (request.Content is not null)
        {
            LastRequestBody = await request.Content.ReadAsByteArrayAsync(cancellationToken);
        }

        var response = Respond(request);
        response.RequestMessage = request;
        return response;
    }
}
