using System.Text;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// A fake HTTP/1.1 server on the other end of a <see cref="SocketsHttpHandler"/> connection (its <c>ConnectCallback</c>
/// returns this stream): no network, but the real transport, so .NET's own <c>DiagnosticsHandler</c> runs and
/// OpenTelemetry's HttpClient instrumentation sees every request, as in production. Each request written is answered with
/// one pre-built response; reads stop at the end of the headers and at each SSE event, one event per read.
/// </summary>
/// <remarks>
/// Requests are sequential on one keep-alive connection. The transport reads ahead on an idle connection; that read
/// waits here until the next request is written.
/// </remarks>
internal sealed class InMemoryHttpConnection : Stream
{
    private readonly byte[] _response;
    private readonly int[] _readEnds;
    private int _position;
    private int _nextEnd;
    private bool _active;
    private TaskCompletionSource _requestWritten = new();

    public InMemoryHttpConnection(byte[] response, int[] readEnds)
    {
        _response = response;
        _readEnds = readEnds;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Builds the response bytes (status line, headers, body) and where each read stops.</summary>
    public static (byte[] Response, int[] ReadEnds) Build(byte[] body, int[]? eventEnds)
    {
        var mediaType = eventEnds is null ? "application/json" : "text/event-stream";
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nContent-Type: {mediaType}\r\nContent-Length: {body.Length}\r\nx-request-id: req_0123456789\r\n\r\n");
        byte[] response = [.. head, .. body];
        int[] ends = eventEnds is null ? [head.Length, response.Length] : [head.Length, .. eventEnds.Select(e => head.Length + e)];
        return (response, ends);
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_active)
        {
            await _requestWritten.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            _requestWritten = new TaskCompletionSource();
            _active = true;
            _position = 0;
            _nextEnd = 0;
        }

        if (buffer.IsEmpty)
        {
            return 0;
        }

        var end = _readEnds[_nextEnd];
        var n = Math.Min(buffer.Length, end - _position);
        _response.AsSpan(_position, n).CopyTo(buffer.Span);
        _position += n;
        if (_position == end)
        {
            _nextEnd++;
            if (_position == _response.Length)
            {
                _active = false;
            }
        }

        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => _requestWritten.TrySetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _requestWritten.TrySetResult();
        return ValueTask.CompletedTask;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
