using System.Net;

namespace LlmCost.Sdk;

/// <summary>
/// Wraps a request's content so the bytes, as they are sent, go to the call's bounded copy (its <c>model</c> is read from
/// them later, on the pump). Nothing is buffered or delayed: the bytes on the wire are the inner content's, unchanged.
/// </summary>
internal sealed class ObservedRequestContent : HttpContent
{
    private readonly CallObservation _call;

    public ObservedRequestContent(HttpContent inner, CallObservation call)
    {
        Inner = inner;
        _call = call;
        HttpHeadersCopier.ShareContentHeaders(inner, this); // its length is the wrapped content's either way (TryComputeLength)
    }

    public HttpContent Inner { get; }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _call.ObserveRequestStart();
        return Inner.CopyToAsync(new ObservingWriteStream(stream, _call), context, cancellationToken);
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _call.ObserveRequestStart();
        Inner.CopyTo(new ObservingWriteStream(stream, _call), context, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        var known = Inner.Headers.ContentLength;
        length = known ?? 0;
        return known.HasValue;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// Passes writes through to <see cref="Inner"/> (the transport), showing them to the call's request reader on the way.
/// A request body already in bytes is shown through one kept per thread, over <see cref="Stream.Null"/>
/// (<see cref="CallObservation.TryObserveWholeRequest"/>).
/// </summary>
internal sealed class ObservingWriteStream(Stream inner, CallObservation? call) : Stream
{
    /// <summary>Gets or sets where the bytes go.</summary>
    public Stream Inner { get; set; } = inner;

    /// <summary>Gets or sets the call shown the bytes, if any.</summary>
    public CallObservation? Call { get; set; } = call;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Call?.ObserveRequest(buffer);
        Inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Call?.ObserveRequest(buffer.Span);
        return Inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => Inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
