using System.Runtime.CompilerServices;

namespace LlmCost.Sdk;

/// <summary>
/// A read-only stream over the provider's response stream that hands every byte the app reads to the call's bounded copy
/// (<see cref="CallObservation.Observe"/>), read for usage later on the pump. The app's bytes are never held back, delayed
/// or changed; exceptions from the inner stream reach the app unchanged.
/// </summary>
internal sealed class ObservingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly CallObservation _call;

    public ObservingReadStream(Stream inner, CallObservation call)
    {
        _inner = inner;
        _call = call;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _inner.Read(buffer);
        }
        catch (Exception ex)
        {
            _call.Fail(ex);
            throw;
        }

        OnRead(buffer[..read], buffer.Length);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<int> pending;
        try
        {
            pending = _inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception ex)
        {
            _call.Fail(ex);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            var read = pending.Result;
            OnRead(buffer.Span[..read], buffer.Length);
            return new ValueTask<int>(read);
        }

        return AwaitReadAsync(pending, buffer);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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
                _call.Finish(endOfBody: false);
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _call.Finish(endOfBody: false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> AwaitReadAsync(ValueTask<int> pending, Memory<byte> buffer)
    {
        int read;
        try
        {
            read = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _call.Fail(ex);
            throw;
        }

        OnRead(buffer.Span[..read], buffer.Length);
        return read;
    }

    private void OnRead(ReadOnlySpan<byte> data, int requested)
    {
        if (data.Length > 0)
        {
            _call.Observe(data);
        }
        else if (requested > 0)
        {
            // Zero bytes for a non-empty buffer is the end of the body (a zero-byte read is only a wait for data).
            _call.Finish(endOfBody: true);
        }
    }
}
