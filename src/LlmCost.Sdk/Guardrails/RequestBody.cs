using System.Buffers;

namespace LlmCost.Sdk;

/// <summary>
/// A request body read for a pre-flight check, in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (returned by
/// <see cref="Dispose"/>), so reading it allocates no copy of the body.
/// </summary>
/// <remarks>
/// Content that can be written again as it is (<see cref="ByteArrayContent"/>, such as <see cref="StringContent"/>, and
/// <see cref="ReadOnlyMemoryContent"/>) is written once into the rented buffer and left as it was: the send writes it
/// again from its own bytes. Any other content may be readable only once (a stream, a serializer that pushes its output),
/// so it is buffered first (<see cref="HttpContent.LoadIntoBufferAsync()"/>): it is serialized once, and both this read
/// and the send take the buffered bytes. Not thread-safe: one pre-flight check owns it.
/// </remarks>
internal sealed class RequestBody : Stream
{
    private const int DefaultCapacity = 4096;

    private byte[] _buffer;
    private int _length;

    private RequestBody(long? contentLength)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(contentLength > 0 && contentLength <= Array.MaxLength ? (int)contentLength.Value : DefaultCapacity);
    }

    /// <summary>Gets the bytes read.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    /// <summary>Gets the bytes read.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>Reads a request's content without consuming it (see the remarks); an empty body when there is none.</summary>
    public static async ValueTask<RequestBody> ReadAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is ObservedRequestContent observed)
        {
            content = observed.Inner;
        }

        var body = new RequestBody(content?.Headers.ContentLength);
        if (content is null)
        {
            return body;
        }

        try
        {
            if (content is not (ByteArrayContent or ReadOnlyMemoryContent))
            {
                await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            }

            await content.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_buffer.Length - _length < buffer.Length)
        {
            Grow(buffer.Length);
        }

        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return default;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        base.Dispose(disposing);
    }

    private void Grow(int needed)
    {
        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)_length + needed));
        if (size - _length < needed)
        {
            throw new InvalidOperationException("The request body is too large to read.");
        }

        var larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
