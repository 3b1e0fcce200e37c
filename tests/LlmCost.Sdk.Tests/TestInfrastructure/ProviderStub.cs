using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk.Tests;

/// <summary>
/// A real local HTTP server (Kestrel on 127.0.0.1, a free port) that plays a provider: it replays payload files as
/// JSON or as server-sent events written event by event, and can hold a stream at a gate or abort the connection.
/// </summary>
/// <remarks>
/// Every request gets <see cref="Reply"/> (set it before the call). The bodies of the requests received are kept in
/// <see cref="Requests"/>. Dispose stops the server.
/// </remarks>
internal sealed class ProviderStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<StubReply> _queued = new();
    private StubReply? _current;
    private int _eventsWritten;

    private ProviderStub(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>Gets the address the server listens on, such as <c>http://127.0.0.1:50123/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets or sets what the server answers to requests (after any replies queued by <see cref="Enqueue"/>).</summary>
    public StubReply Reply { get; set; } = StubReply.Json("openai-chat.json");

    /// <summary>Gets the requests received so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Gets how many SSE events (or JSON bodies) the server has written and flushed so far, over all requests.</summary>
    public int EventsWritten => Volatile.Read(ref _eventsWritten);

    public static async Task<ProviderStub> StartAsync(StubReply? reply = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        var app = builder.Build();

        ProviderStub? stub = null;
        app.Run(context => stub!.HandleAsync(context));
        await app.StartAsync().ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        stub = new ProviderStub(app, new Uri(address.TrimEnd('/') + "/"));
        if (reply is not null)
        {
            stub.Reply = reply;
        }

        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        // Streams held at a gate end now, so the server can stop at once.
        Reply.Gate?.TrySetCanceled();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Connections still open are closed by the dispose below.
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Queues a reply for one request; queued replies are used, in order, before <see cref="Reply"/>.</summary>
    public void Enqueue(StubReply reply) => _queued.Enqueue(reply);

    /// <summary>Tells the stub the client has received a response's headers (called by <see cref="RedirectHandler"/>).</summary>
    public void OnResponseHeaders() => (Volatile.Read(ref _current) ?? Reply).HeadersReceived.TrySetResult();

    private async Task HandleAsync(HttpContext context)
    {
        var reply = _queued.TryDequeue(out var queued) ? queued : Reply;
        Volatile.Write(ref _current, reply);
        var aborted = context.RequestAborted;

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, aborted).ConfigureAwait(false);
        _requests.Enqueue(new RecordedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.Host.ToString(),
            context.Request.ContentType,
            body.ToArray())
        {
            ContentLength = context.Request.ContentLength,
            TransferEncoding = context.Request.Headers.TransferEncoding.ToString(),
        });

        var response = context.Response;
        response.StatusCode = reply.StatusCode;
        response.ContentType = reply.ContentType;
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers[name] = value;
        }

        if (reply.ContentLength is { } length)
        {
            response.ContentLength = length;
        }

        var written = 0L;
        var first = true;
        try
        {
            foreach (var part in reply.Parts())
            {
                if (reply.AbortAfterBytes is { } abortAt && written + part.Length >= abortAt)
                {
                    var keep = (int)(abortAt - written);
                    await response.Body.WriteAsync(part.AsMemory(0, keep), aborted).ConfigureAwait(false);
                    await response.Body.FlushAsync(aborted).ConfigureAwait(false);

                    // An abort reaching the client before it has read the headers would discard them (a TCP reset
                    // drops unread data): wait until the client has the response, then reset mid-body.
                    await reply.HeadersReceived.Task.WaitAsync(TimeSpan.FromSeconds(5), aborted).ConfigureAwait(false);
                    context.Abort();
                    return;
                }

                await response.Body.WriteAsync(part, aborted).ConfigureAwait(false);
                written += part.Length;
                if (reply.FlushEachPart)
                {
                    await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                    Interlocked.Increment(ref _eventsWritten);
                }

                if (first && reply.Gate is { } gate)
                {
                    await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                    await gate.Task.WaitAsync(aborted).ConfigureAwait(false);
                }

                first = false;
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away (or the gate was cancelled at dispose): nothing more to write.
            context.Abort();
        }
    }
}
