namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// A read-only stream over a pre-built SSE payload that returns one event per read, like a network stream that
/// receives one chunk per packet. Reads complete synchronously; nothing is allocated per read.
/// </summary>
internal sealed class EventChunkStream : Stream
{
    private readonly byte[] _data;
    private readonly int[] _eventEnds;
    private int _position;
    private int _event;

    public EventChunkStream(byte[] data, int[] eventEnds)
    {
        _data = data;
        _eventEnds = eventEnds;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_event >= _eventEnds.Length || buffer.IsEmpty)
        {
            return 0;
        }

        var end = _eventEnds[_event];
        var count = Math.Min(buffer.Length, end - _position);
        _data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        if (_position == end)
        {
            _event++;
        }

        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
