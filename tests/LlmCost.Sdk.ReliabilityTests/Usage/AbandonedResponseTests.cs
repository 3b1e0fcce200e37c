using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace LlmCost.Sdk.ReliabilityTests.Usage;

/// <summary>
/// Issue 12, item 3: a response the app neither reads to the end nor disposes (<c>ResponseHeadersRead</c>, then nothing)
/// was billed by the provider; it is recorded once the garbage collector finds it unreachable, with
/// <c>errorType: "abandoned"</c> and the usage seen, and counted.
/// </summary>
public class AbandonedResponseTests
{
    private static readonly byte[] AnthropicStart = Encoding.UTF8.GetBytes(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");

    [Fact]
    public async Task UnreadJsonResponse_DroppedByTheApp_IsRecordedAbandonedAndCounted()
    {
        await using var app = new App(new ChatHandler());

        await DropUnreadAsync(app.Client, () => ChatHandler.OpenAIRequest());
        await app.CollectAndFlushAsync();

        var record = Assert.Single(app.Sink.Records);
        Assert.Equal("abandoned", record.ErrorType);
        Assert.Equal("openai", record.Provider);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal(UsageSource.None, record.Usage.Source); // nothing of the body was read: no usage, never a made-up price
        Assert.Null(record.Cost);
        Assert.Equal(1, app.Tracker.Statistics.AbandonedResponses);
        var log = Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 270);
        Assert.DoesNotContain("Hello", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamReadHalfwayThenDropped_IsRecordedAbandonedAndNeverPricedAsComplete()
    {
        var handler = new ChatHandler(AnthropicStart, "text/event-stream");
        await using var app = new App(handler);

        await DropAfterFirstReadAsync(app.Client, AnthropicRequest);
        await app.CollectAndFlushAsync();

        var record = Assert.Single(app.Sink.Records);
        Assert.Equal("abandoned", record.ErrorType);
        Assert.True(record.Streaming);
        Assert.Equal(1, app.Tracker.Statistics.AbandonedResponses);
        // message_start said 25 in, 1 out; the final count never came: never priced as if it were the call's usage.
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Null(record.Cost);
    }

    [Fact]
    public async Task ErrorResponseDroppedUnread_KeepsItsStatusAsTheErrorType()
    {
        var handler = new ChatHandler { Status = HttpStatusCode.TooManyRequests };
        await using var app = new App(handler);

        await DropUnreadAsync(app.Client, () => ChatHandler.OpenAIRequest());
        await app.CollectAndFlushAsync();

        var record = Assert.Single(app.Sink.Records);
        Assert.Equal("429", record.ErrorType);
        Assert.Equal(1, app.Tracker.Statistics.AbandonedResponses);
    }

    [Fact]
    public async Task DisposedOrFullyReadResponses_AreNeverCountedAbandoned()
    {
        await using var app = new App(new ChatHandler());

        await ReadAndDisposeAsync(app.Client);
        await ReadToEndWithoutDisposeAsync(app.Client);
        await DisposeUnreadAsync(app.Client);
        await app.CollectAndFlushAsync();

        Assert.Equal(3, app.Sink.Records.Count);
        Assert.All(app.Sink.Records, r => Assert.NotEqual("abandoned", r.ErrorType));
        Assert.Equal(0, app.Tracker.Statistics.AbandonedResponses);
    }

    [Fact]
    public async Task ManyDroppedResponses_EachRecordedOnce_OneLogLine()
    {
        await using var app = new App(new ChatHandler());

        for (var i = 0; i < 50; i++)
        {
            await DropUnreadAsync(app.Client, () => ChatHandler.OpenAIRequest());
        }

        await app.CollectAndFlushAsync();

        Assert.Equal(50, app.Sink.Records.Count);
        Assert.Equal(50, app.Sink.Records.Select(r => r.Id).Distinct().Count());
        Assert.Equal(50, app.Tracker.Statistics.AbandonedResponses);
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 270);
    }

    [Fact]
    public async Task OverARealLoopbackConnection_DroppedResponseIsRecordedAbandoned()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var body = ChatHandler.OpenAIChat;
        using var serverStop = new CancellationTokenSource();
        var server = ServeOnceAsync(listener, body, serverStop.Token);

        var sockets = new SocketsHttpHandler
        {
            // Every host connects to the local server: the URL stays api.openai.com so the call is recognized.
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        await using var app = new App(sockets);

        await DropUnreadAsync(app.Client, () => new HttpRequestMessage(HttpMethod.Post, "http://api.openai.com/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}""", Encoding.UTF8, "application/json"),
        });
        await app.CollectAndFlushAsync();

        var record = Assert.Single(app.Sink.Records);
        Assert.Equal("abandoned", record.ErrorType);
        Assert.Equal(1, app.Tracker.Statistics.AbandonedResponses);
        await serverStop.CancelAsync();
        await server;
    }

    private static HttpRequestMessage AnthropicRequest() => new(HttpMethod.Post, "https://api.anthropic.com/v1/messages")
    {
        Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hello"}],"stream":true}""", Encoding.UTF8, "application/json"),
    };

    // Each call lives in its own non-inlined method, so no local of the test keeps the response reachable.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task DropUnreadAsync(HttpClient client, Func<HttpRequestMessage> request)
    {
        var response = await client.SendAsync(request(), HttpCompletionOption.ResponseHeadersRead);
        GC.KeepAlive(response); // the app looks at the status and walks away
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task DropAfterFirstReadAsync(HttpClient client, Func<HttpRequestMessage> request)
    {
        var response = await client.SendAsync(request(), HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        _ = await stream.ReadAsync(buffer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task ReadAndDisposeAsync(HttpClient client)
    {
        using var response = await client.SendAsync(ChatHandler.OpenAIRequest(), HttpCompletionOption.ResponseHeadersRead);
        await response.Content.ReadAsByteArrayAsync();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task ReadToEndWithoutDisposeAsync(HttpClient client)
    {
        var response = await client.SendAsync(ChatHandler.OpenAIRequest(), HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        await stream.CopyToAsync(Stream.Null);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task DisposeUnreadAsync(HttpClient client)
    {
        var response = await client.SendAsync(ChatHandler.OpenAIRequest(), HttpCompletionOption.ResponseHeadersRead);
        response.Dispose();
    }

    /// <summary>Answers one request with a Content-Length body and keeps the connection open, as a provider would.</summary>
    private static async Task ServeOnceAsync(TcpListener listener, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            using var client = await listener.AcceptTcpClientAsync(cancellationToken);
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var received = new StringBuilder();
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    return;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n");
            await stream.WriteAsync(head, cancellationToken);
            await stream.WriteAsync(body, cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class App : IAsyncDisposable
    {
        private readonly ServiceProvider _provider;

        public App(HttpMessageHandler inner)
        {
            var services = new ServiceCollection();
            services.AddFakeLogging();
            services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.Zero).AddInMemorySink();
            _provider = services.BuildServiceProvider();
            Tracker = _provider.GetRequiredService<ILlmCostTracker>();
            Sink = _provider.GetRequiredService<InMemoryCostSink>();
            Logs = _provider.GetFakeLogCollector();
            var handler = Tracker.CreateHandler();
            handler.InnerHandler = inner;
            Client = new HttpClient(handler);
        }

        public ILlmCostTracker Tracker { get; }

        public InMemoryCostSink Sink { get; }

        public FakeLogCollector Logs { get; }

        public HttpClient Client { get; }

        /// <summary>What the runtime does on its own schedule, done now: collect, run finalizers, then drain the pipeline.</summary>
        public async Task CollectAndFlushAsync()
        {
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            await Tracker.FlushAsync();
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _provider.DisposeAsync();
        }
    }
}
