using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Http;

/// <summary>
/// Issue 8: the bytes of a call are copied into a bounded pooled buffer (<see cref="CallObservation.CopyBytes"/>) and
/// scanned on the pump; only a full copy is scanned on the caller's path. The app's bytes are unchanged and never held
/// back, the record is the same, and every pooled buffer goes back to its pool exactly once, whatever ends the call.
/// </summary>
public class BoundedCopyTests
{
    private const string ChatUrl = "https://api.openai.com/v1/chat/completions";
    private const string Model = "gpt-4o-2024-08-06";

    [Theory]
    [InlineData(1)]
    [InlineData(1024)]
    [InlineData(64 * 1024)]
    public async Task LargeJsonResponseAndRequest_BeyondTheCap_BytesIdenticalRecordWholeBuffersReturnedOnce(int readSize)
    {
        var body = ChatCompletion(contentBytes: 5 * CallObservation.CopyBytes);
        var pool = new CountingPool();
        await using var app = App.Create(_ => Respond(new ByteArrayContent(body), "application/json"), pool);
        var prompt = new string('p', 3 * CallObservation.CopyBytes);

        using (var response = await app.Client.SendAsync(Request(prompt), HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            Assert.Equal(body, await ReadAllAsync(stream, readSize));
        }

        var record = await app.SingleRecordAsync();
        Assert.Equal("gpt-4o", record.RequestModel); // read from a request body three copies long
        Assert.Equal(Model, record.Model);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(12, record.Usage.InputTokens);
        Assert.Equal(34, record.Usage.OutputTokens);
        Assert.NotNull(record.Cost);
        pool.AssertAllReturnedOnce(minRents: 2); // the copy grew to its cap: more than one buffer was rented
    }

    [Fact]
    public async Task StreamOfManyEvents_BeyondTheCap_EachEventReachesTheAppBeforeTheNextIsSentAndUsageIsRead()
    {
        const int Events = 2_000;
        var pipe = new Pipe();
        var pool = new CountingPool();
        await using var app = App.Create(_ => Respond(new StreamContent(pipe.Reader.AsStream()), "text/event-stream"), pool);

        using (var response = await app.Client.SendAsync(Request("hi", stream: true), HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            var sent = 0L;
            for (var i = 0; i <= Events + 1; i++)
            {
                var chunk = i < Events ? Chunk() : i == Events ? UsageChunk(Events) : "data: [DONE]\n\n"u8.ToArray();
                await pipe.Writer.WriteAsync(chunk);
                sent += chunk.Length;

                // The producer sends nothing more until the app has this event: a held-back byte would hang the read (the
                // bound only turns a hang into a failure).
                var read = await ReadExactlyAsync(stream, buffer, chunk.Length).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.True(chunk.AsSpan().SequenceEqual(buffer.AsSpan(0, read)), $"event {i} changed on its way to the app");
            }

            Assert.True(sent > 10 * CallObservation.CopyBytes, $"the stream is {sent} B");
            await pipe.Writer.CompleteAsync();
            Assert.Equal(0, await stream.ReadAsync(buffer));
        }

        var record = await app.SingleRecordAsync();
        Assert.True(record.Streaming);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(7, record.Usage.InputTokens);
        Assert.Equal(Events, record.Usage.OutputTokens);
        Assert.Null(record.ErrorType);
        pool.AssertAllReturnedOnce(minRents: 2);
    }

    public enum Ending
    {
        ReadToEnd,
        DisposedHalfRead,
        DisposedUnread,
        TransportFailsMidBody,
        CancelledMidBody,
        SendFails,
        Abandoned,
    }

    [Theory]
    [InlineData(Ending.ReadToEnd, null)]
    [InlineData(Ending.DisposedHalfRead, null)]
    [InlineData(Ending.DisposedUnread, null)]
    [InlineData(Ending.TransportFailsMidBody, "System.IO.IOException")]
    [InlineData(Ending.CancelledMidBody, "System.Threading.Tasks.TaskCanceledException")]
    [InlineData(Ending.SendFails, "System.Net.Http.HttpRequestException")]
    [InlineData(Ending.Abandoned, CallObservation.AbandonedErrorType)]
    public async Task EveryEnding_RecordsTheCallOnce_AndReturnsEveryBufferOnce(Ending ending, string? errorType)
    {
        var body = ChatCompletion(contentBytes: 2 * CallObservation.CopyBytes);
        var pool = new CountingPool();
        await using var app = App.Create(
            _ => ending switch
            {
                Ending.SendFails => throw new HttpRequestException("connection refused"),
                Ending.TransportFailsMidBody => Respond(new StreamContent(new FailingStream(body, new IOException("reset"))), "application/json"),
                Ending.CancelledMidBody => Respond(new StreamContent(new FailingStream(body, new TaskCanceledException("timeout"))), "application/json"),
                _ => Respond(new ByteArrayContent(body), "application/json"),
            },
            pool);

        if (ending == Ending.Abandoned)
        {
            await DropUnreadAsync(app.Client);
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        else
        {
            await EndAsync(app.Client, ending);
        }

        var record = await app.SingleRecordAsync();
        Assert.Equal(errorType, record.ErrorType);
        Assert.Equal("gpt-4o", record.RequestModel);
        if (ending == Ending.ReadToEnd)
        {
            Assert.Equal(34, record.Usage.OutputTokens);
        }
        else
        {
            Assert.Equal(UsageSource.None, record.Usage.Source); // the usage (at the end) was never read: never made up
        }

        pool.AssertAllReturnedOnce(minRents: 1);
    }

    [Fact]
    public async Task QueueFull_CallDropped_BuffersStillReturnedOnce()
    {
        var body = ChatCompletion(contentBytes: 100);
        var pool = new CountingPool();
        await using var app = App.Create(_ => Respond(new ByteArrayContent(body), "application/json"), pool);
        await app.Services.GetRequiredService<LlmCostPipeline>().ShutdownAsync(); // the pipeline takes nothing more

        using (var response = await app.Client.SendAsync(Request("hi")))
        {
            Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(1, app.Tracker.Statistics.DroppedQueueFull);
        pool.AssertAllReturnedOnce(minRents: 1);
    }

    [Fact]
    public async Task LingeringPump_BuildsQueuedCallsAhead_SoTheyHoldNoBufferWhileTheBatchFills()
    {
        var body = ChatCompletion(contentBytes: 100);
        var pool = new CountingPool();
        await using var app = App.Create(_ => Respond(new ByteArrayContent(body), "application/json"), pool, batchDelay: TimeSpan.FromHours(1));

        for (var i = 0; i < 3; i++)
        {
            using var response = await app.Client.SendAsync(Request("hi"));
            Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
        }

        // The batch waits an hour, but the pump scans the calls within its build-ahead interval: their buffers come back.
        // Polled on a condition (bounded), not slept on.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (pool.Outstanding > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Yield();
            Thread.Sleep(1);
        }

        pool.AssertAllReturnedOnce(minRents: 3);
        Assert.Empty(app.Services.GetRequiredService<InMemoryCostSink>().Records); // not dispatched before the delay
        await app.Tracker.FlushAsync();
        Assert.Equal(3, app.Services.GetRequiredService<InMemoryCostSink>().Records.Count);
        Assert.Equal(0, app.Tracker.Statistics.DroppedQueueFull);
    }

    private static async Task EndAsync(HttpClient client, Ending ending)
    {
        using var cancel = new CancellationTokenSource();
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(Request("hi"), HttpCompletionOption.ResponseHeadersRead);
        }
        catch (HttpRequestException) when (ending == Ending.SendFails)
        {
            return;
        }

        using (response)
        {
            if (ending == Ending.DisposedUnread)
            {
                return;
            }

            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1024];
            switch (ending)
            {
                case Ending.ReadToEnd:
                    await ReadAllAsync(stream, 1024);
                    break;
                case Ending.DisposedHalfRead:
                    await stream.ReadExactlyAsync(buffer);
                    break;
                default:
                    await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync(stream, 1024));
                    break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task DropUnreadAsync(HttpClient client)
    {
        var response = await client.SendAsync(Request("hi"), HttpCompletionOption.ResponseHeadersRead);
        GC.KeepAlive(response.StatusCode); // dropped: neither read nor disposed
    }

    private static HttpResponseMessage Respond(HttpContent content, string mediaType)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    private static HttpRequestMessage Request(string prompt, bool stream = false) =>
        new(HttpMethod.Post, ChatUrl)
        {
            Content = new StringContent(
                $$"""{"model":"gpt-4o","messages":[{"role":"user","content":"{{prompt}}"}],"stream":{{(stream ? "true" : "false")}}}""",
                Encoding.UTF8,
                "application/json"),
        };

    private static byte[] ChatCompletion(int contentBytes) => Encoding.UTF8.GetBytes(
        $$$"""{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"{{{Model}}}","choices":[{"index":0,"message":{"role":"assistant","content":"{{{new string('a', contentBytes)}}}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":34,"total_tokens":46}}""");

    private static byte[] Chunk() => Encoding.UTF8.GetBytes(
        $$"""data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"{{Model}}","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}""" + "\n\n");

    private static byte[] UsageChunk(int outputTokens) => Encoding.UTF8.GetBytes(
        $$$"""data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"{{{Model}}}","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":{{{outputTokens}}},"total_tokens":{{{outputTokens + 7}}}}}""" + "\n\n");

    private static async Task<byte[]> ReadAllAsync(Stream stream, int readSize)
    {
        var all = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }

    private static async Task<int> ReadExactlyAsync(Stream stream, byte[] buffer, int count)
    {
        var total = 0;
        while (total < count)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total, count - total));
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>A pool that hands out the shared pool's buffers and checks that each comes back exactly once.</summary>
    private sealed class CountingPool : ArrayPool<byte>
    {
        private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);
        private readonly Lock _lock = new();
        private int _rents;
        private int _badReturns;

        public override byte[] Rent(int minimumLength)
        {
            var array = new byte[minimumLength]; // never the shared pool's: a buffer returned twice would corrupt other calls
            lock (_lock)
            {
                _rents++;
                _out.Add(array);
            }

            return array;
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
            lock (_lock)
            {
                if (!_out.Remove(array))
                {
                    _badReturns++; // returned twice, or never rented here
                }
            }
        }

        public int Outstanding
        {
            get
            {
                lock (_lock)
                {
                    return _out.Count;
                }
            }
        }

        public void AssertAllReturnedOnce(int minRents)
        {
            lock (_lock)
            {
                Assert.True(_rents >= minRents, $"{_rents} buffers rented, expected at least {minRents}");
                Assert.Equal(0, _badReturns);
                Assert.Empty(_out);
            }
        }
    }

    /// <summary>Gives the body in 1 KiB reads up to its middle, then fails the way a transport does.</summary>
    private sealed class FailingStream(byte[] body, Exception failure) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= body.Length / 2)
            {
                throw failure;
            }

            var n = Math.Min(Math.Min(count, 1024), body.Length - _position);
            body.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>One test's services: tracking with an in-memory sink and a tracked client over a callback transport.</summary>
    private sealed class App : IAsyncDisposable
    {
        private App(ServiceProvider services, HttpClient client)
        {
            Services = services;
            Client = client;
            Tracker = services.GetRequiredService<ILlmCostTracker>();
        }

        public ServiceProvider Services { get; }

        public HttpClient Client { get; }

        public ILlmCostTracker Tracker { get; }

        public static App Create(Func<HttpRequestMessage, HttpResponseMessage> respond, ArrayPool<byte> pool, TimeSpan batchDelay = default)
        {
            var services = new ServiceCollection();
            services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = batchDelay).AddInMemorySink();
            var provider = services.BuildServiceProvider();
            provider.GetRequiredService<HttpCallTracker>().BufferPool = pool;
            var handler = provider.GetRequiredService<ILlmCostTracker>().CreateHandler();
            handler.InnerHandler = new CallbackHandler(respond);
            return new App(provider, new HttpClient(handler));
        }

        public async Task<CostRecord> SingleRecordAsync()
        {
            await Tracker.FlushAsync();
            var record = Assert.Single(Services.GetRequiredService<InMemoryCostSink>().Records);
            Assert.Equal(1, Tracker.Statistics.Queued);
            return record;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Services.DisposeAsync();
        }
    }

    /// <summary>Answers each request with the test's callback, after reading the request body as a transport does.</summary>
    private sealed class CallbackHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } content)
            {
                await content.CopyToAsync(Stream.Null, cancellationToken);
            }

            var response = respond(request);
            response.RequestMessage = request;
            return response;
        }
    }
}
