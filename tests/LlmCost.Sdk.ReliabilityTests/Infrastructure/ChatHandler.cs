using System.Net;
using System.Text;

namespace LlmCost.Sdk.ReliabilityTests;

/// <summary>A provider in-process: answers every request synchronously with one Chat Completions body.</summary>
internal sealed class ChatHandler(byte[] body, string contentType = "application/json") : HttpMessageHandler
{
    public static readonly byte[] OpenAIChat = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":50,"total_tokens":150}}""");

    public ChatHandler()
        : this(OpenAIChat)
    {
    }

    public Func<HttpContent>? ContentFactory { get; init; }

    public HttpStatusCode Status { get; init; } = HttpStatusCode.OK;

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) => Reply(request);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Reply(request));

    public static HttpRequestMessage OpenAIRequest(bool stream = false) => new(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
    {
        Content = new StringContent(
            stream ? """{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"stream":true}""" : """{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}""",
            Encoding.UTF8,
            "application/json"),
    };

    private HttpResponseMessage Reply(HttpRequestMessage request)
    {
        var content = ContentFactory?.Invoke() ?? new ByteArrayContent(body);
        if (ContentFactory is null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        return new HttpResponseMessage(Status) { Content = content, RequestMessage = request };
    }
}
