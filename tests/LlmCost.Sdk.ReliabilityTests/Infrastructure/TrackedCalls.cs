using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace LlmCost.Sdk.ReliabilityTests;

/// <summary>
/// One service provider with an in-memory sink and a tracked HttpClient whose provider answers each call with the
/// bytes the test gives; calls go through the public handler exactly as an app's do.
/// </summary>
internal sealed class TrackedCalls : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly HttpClient _client;
    private readonly ReplyHandler _reply = new();

    public TrackedCalls(Action<LlmCostOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddLlmCostTracking(o => configure?.Invoke(o)).AddInMemorySink();
        _provider = services.BuildServiceProvider();
        Tracker = _provider.GetRequiredService<ILlmCostTracker>();
        Sink = _provider.GetRequiredService<InMemoryCostSink>();
        Logs = _provider.GetFakeLogCollector();
        var handler = Tracker.CreateHandler();
        handler.InnerHandler = _reply;
        _client = new HttpClient(handler);
        Untracked = new HttpClient(_reply, disposeHandler: false);
    }

    public ILlmCostTracker Tracker { get; }

    public InMemoryCostSink Sink { get; }

    public FakeLogCollector Logs { get; }

    public HttpClient Untracked { get; }

    public static string Path(string payload) => System.IO.Path.Combine(AppContext.BaseDirectory, "Payloads", payload);

    public static byte[] Payload(string payload) => File.ReadAllBytes(Path(payload));

    /// <summary>The request a payload answers, by its file name.</summary>
    public static HttpRequestMessage RequestFor(string payload)
    {
        var stream = payload.EndsWith(".sse", StringComparison.Ordinal);
        if (payload.StartsWith("anthropic", StringComparison.Ordinal))
        {
            return new HttpRequestMessage(HttpMethod.Post, "https://api.anthropic.com/v1/messages")
            {
                Content = new StringContent($$"""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hello"}],"stream":{{(stream ? "true" : "false")}}}""", Encoding.UTF8, "application/json"),
            };
        }

        var uri = payload.StartsWith("openai-responses", StringComparison.Ordinal) ? "https://api.openai.com/v1/responses" : "https://api.openai.com/v1/chat/completions";
        return new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new StringContent($$"""{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"stream":{{(stream ? "true" : "false")}}}""", Encoding.UTF8, "application/json"),
        };
    }

    public static string ContentTypeFor(string payload) => payload.EndsWith(".sse", StringComparison.Ordinal) ? "text/event-stream" : "application/json";

    /// <summary>Makes one call answered with <paramref name="body"/>; returns the bytes the app read, or the exception it saw.</summary>
    public async Task<(byte[]? Body, Exception? Error)> CallAsync(string payload, byte[] body, Func<byte[], HttpContent>? content = null, int readSize = 4096, bool tracked = true)
    {
        _reply.Next = () => content?.Invoke(body) ?? Default(body, ContentTypeFor(payload));
        try
        {
            using var request = RequestFor(payload);
            using var response = await (tracked ? _client : Untracked).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var read = new MemoryStream();
            var buffer = new byte[readSize];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                read.Write(buffer, 0, n);
            }

            return (read.ToArray(), null);
        }
        catch (Exception ex)
        {
            return (null, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        Untracked.Dispose();
        await _provider.DisposeAsync();
    }

    private static ByteArrayContent Default(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return content;
    }

    private sealed class ReplyHandler : HttpMessageHandler
    {
        public Func<HttpContent> Next { get; set; } = () => new ByteArrayContent([]);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = Next(), RequestMessage = request });
    }
}
