using System.Net;

namespace LlmCost.Sdk;

/// <summary>
/// Replaces a response's content so the usage reader sees the body as the app reads it, without buffering it.
/// </summary>
/// <remarks>
/// Three traps are avoided on purpose: the read-stream methods are overridden (otherwise the base class buffers the
/// whole body before the app sees a byte); the content headers are carried over (Content-Type, Content-Length, …: the
/// wrapped content's own collection when it stores a Content-Length, a copy otherwise); and the length is never computed
/// from the body (<see cref="TryComputeLength"/> returns <see langword="false"/>; a known length comes from the
/// Content-Length header).
/// </remarks>
internal sealed class ObservedResponseContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly CallObservation _call;

    public ObservedResponseContent(HttpContent inner, CallObservation call)
    {
        _inner = inner;
        _call = call;
        if (inner.Headers.NonValidated.Contains("Content-Length"))
        {
            // A stored length answers ContentLength whatever the collection's content: sharing is exact, and free.
            HttpHeadersCopier.ShareContentHeaders(inner, this);
        }
        else
        {
            // No length (a chunked stream): the wrapper's own collection, so a length is never computed from the inner
            // content, and a body the app buffers reports the buffered length, as it would without the SDK.
            HttpHeadersCopier.CopyContentHeaders(inner, this);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var source = CreateContentReadStream(cancellationToken);
        source.CopyTo(stream);
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
    {
        Task<Stream> pending;
        try
        {
            pending = _inner.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            _call.Fail(ex);
            throw;
        }

        // A response stream is usually ready once the headers are in: no state machine for the common case.
        return pending.IsCompletedSuccessfully
            ? Task.FromResult<Stream>(new ObservingReadStream(pending.Result, _call))
            : WrapAsync(pending);
    }

    private async Task<Stream> WrapAsync(Task<Stream> pending)
    {
        Stream inner;
        try
        {
            inner = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _call.Fail(ex);
            throw;
        }

        return new ObservingReadStream(inner, _call);
    }

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken)
    {
        Stream inner;
        try
        {
            inner = _inner.ReadAsStream(cancellationToken);
        }
        catch (Exception ex)
        {
            _call.Fail(ex);
            throw;
        }

        return new ObservingReadStream(inner, _call);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                _inner.Dispose();
            }
            finally
            {
                // A body the app never read still yields its record.
                _call.Finish(endOfBody: false);
            }
        }

        base.Dispose(disposing);
    }
}
