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

/// <summary>What <see cref="ProviderStub"/> answers.</summary>
internal sealed class StubReply
{
    private Func<IEnumerable<byte[]>> _parts = () => [];

    public int StatusCode { get; init; } = 200;

    public string ContentType { get; init; } = "application/json";

    /// <summary>Gets the Content-Length to send, or <see langword="null"/> for a chunked body.</summary>
    public long? ContentLength { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Gets a value indicating whether the server flushes after each part (each SSE event).</summary>
    public bool FlushEachPart { get; init; }

    /// <summary>Gets a gate: the first part is written and flushed, then the server waits for the gate before the rest.</summary>
    public TaskCompletionSource? Gate { get; init; }

    /// <summary>Gets a byte count after which the server aborts the connection (<c>HttpContext.Abort()</c>).</summary>
    public long? AbortAfterBytes { get; init; }

    /// <summary>Gets a signal the client completes when it has received the response headers (see <see cref="ProviderStub.OnResponseHeaders"/>).</summary>
    public TaskCompletionSource HeadersReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets the whole body the reply writes (for small replies; built from the parts).</summary>
    public byte[] Body => [.. Parts().SelectMany(p => p)];

    public IEnumerable<byte[]> Parts() => _parts();

    /// <summary>Returns this reply with the given body, sent in one write.</summary>
    public StubReply WithBody(byte[] body)
    {
        _parts = () => [body];
        return this;
    }

    /// <summary>A JSON payload file, sent in one write with its Content-Length.</summary>
    public static StubReply Json(string payload, int statusCode = 200, long? abortAfterBytes = null)
    {
        var bytes = Payloads.Bytes(payload);
        return new StubReply
        {
            StatusCode = statusCode,
            ContentType = "application/json",
            ContentLength = bytes.Length,
            AbortAfterBytes = abortAfterBytes,
            FlushEachPart = true,
            _parts = () => [bytes],
        };
    }

    /// <summary>An SSE payload file, written event by event (each event with its blank line), flushed after each.</summary>
    public static StubReply Sse(string payload, TaskCompletionSource? gate = null, int statusCode = 200, long? abortAfterBytes = null)
    {
        var events = SplitEvents(Payloads.Bytes(payload));
        return new StubReply
        {
            StatusCode = statusCode,
            ContentType = "text/event-stream",
            Headers = [new("Cache-Control", "no-cache")],
            Gate = gate,
            AbortAfterBytes = abortAfterBytes,
            FlushEachPart = true,
            _parts = () => events,
        };
    }

    /// <summary>Generated SSE events (produced lazily, so the stub holds one at a time).</summary>
    public static StubReply SseGenerated(Func<IEnumerable<string>> events) => new()
    {
        ContentType = "text/event-stream",
        FlushEachPart = true,
        _parts = () => events().Select(e => Encoding.UTF8.GetBytes(e)),
    };

    /// <summary>The payload's content type: SSE for <c>.sse</c> files, the AWS event stream for <c>.eventstream</c> files, JSON otherwise.</summary>
    public static StubReply ForPayload(string payload, int statusCode = 200) =>
        payload.EndsWith(".sse", StringComparison.Ordinal) ? Sse(payload, statusCode: statusCode)
        : payload.EndsWith(".eventstream", StringComparison.Ordinal) ? EventStream(payload, statusCode)
        : Json(payload, statusCode);

    /// <summary>A binary AWS event stream payload file (<c>application/vnd.amazon.eventstream</c>), sent in small flushed writes.</summary>
    public static StubReply EventStream(string payload, int statusCode = 200)
    {
        var bytes = Payloads.Bytes(payload);
        return new StubReply
        {
            StatusCode = statusCode,
            ContentType = "application/vnd.amazon.eventstream",
            FlushEachPart = true,
            _parts = () => bytes.Chunk(37),
        };
    }

    /// <summary>An event stream given as bytes, written event by event, flushed after each.</summary>
    public static StubReply SseBytes(byte[] stream)
    {
        var events = SplitEvents(stream);
        return new StubReply
        {
            ContentType = "text/event-stream",
            FlushEachPart = true,
            _parts = () => events,
        };
    }

    /// <summary>
    /// Splits an event stream after each blank line ("\n\n" or "\r\n\r\n"), so the parts concatenate to the exact input.
    /// </summary>
    public static IReadOnlyList<byte[]> SplitEvents(byte[] stream)
    {
        var events = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < stream.Length; i++)
        {
            var end = stream.AsSpan(i).StartsWith("\n\n"u8) ? i + 2
                : stream.AsSpan(i).StartsWith("\r\n\r\n"u8) ? i + 4
                : -1;
            if (end > 0)
            {
                events.Add(stream[start..end]);
                start = end;
                i = end - 1;
            }
        }

        if (start < stream.Length)
        {
            events.Add(stream[start..]);
        }

        return events;
    }
}
