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

    /// <summary>Passes writes through to the transport, showing them to the request reader on the way.</summary>
    private sealed class ObservingWriteStream(Stream inner, CallObservation call) : Stream
    {
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
            call.ObserveRequest(buffer);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            call.ObserveRequest(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
