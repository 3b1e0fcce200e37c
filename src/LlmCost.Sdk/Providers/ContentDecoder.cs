using System.Buffers;
using System.IO.Compression;
using System.Net.Http.Headers;

namespace LlmCost.Sdk;

/// <summary>
/// Decodes a copy of a response body sent with <c>Content-Encoding</c> (gzip, deflate, br) and an HttpClient without
/// <c>AutomaticDecompression</c>, so its usage is read: the app still gets the original, encoded bytes. Incremental, with
/// pooled buffers: each chunk the app reads is decoded as it passes and handed to the usage reader.
/// </summary>
/// <remarks>Not thread-safe: one call's bytes are read by one reader at a time. Never throws: bytes that do not decode set <see cref="Failed"/>.</remarks>
internal sealed class ContentDecoder : IDisposable
{
    private const int OutputSize = 16 * 1024;

    private readonly Feed? _feed;
    private readonly Stream? _inflate;
    private BrotliDecoder _brotli;
    private readonly bool _isBrotli;
    private bool _done;

    private ContentDecoder(string encoding)
    {
        if (encoding == "br")
        {
            _isBrotli = true;
            _brotli = default;
            return;
        }

        _feed = new Feed();
        _inflate = encoding == "deflate"
            ? new ZLibStream(_feed, CompressionMode.Decompress)
            : new GZipStream(_feed, CompressionMode.Decompress);
    }

    /// <summary>Gets a value indicating whether the body did not decode.</summary>
    public bool Failed { get; private set; }

    /// <summary>Returns a decoder for the body's encoding, or <see langword="null"/> when it is not encoded (or not in a known way).</summary>
    public static ContentDecoder? For(HttpContentHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("Content-Encoding", out var values) || values.Count != 1)
        {
            return null;
        }

        var encoding = values.ToString().Trim();
        return encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || encoding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase) ? new ContentDecoder("gzip")
            : encoding.Equals("deflate", StringComparison.OrdinalIgnoreCase) ? new ContentDecoder("deflate")
            : encoding.Equals("br", StringComparison.OrdinalIgnoreCase) ? new ContentDecoder("br")
            : null;
    }

    /// <summary>Decodes the next encoded bytes and hands what they decode to <paramref name="reader"/>.</summary>
    public void Write(ReadOnlySpan<byte> encoded, IUsageReader reader)
    {
        if (Failed || _done || encoded.IsEmpty)
        {
            return;
        }

        var output = ArrayPool<byte>.Shared.Rent(OutputSize);
        try
        {
            if (_isBrotli)
            {
                WriteBrotli(encoded, output, reader);
            }
            else
            {
                WriteInflate(encoded, output, reader);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            Failed = true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(output);
        }
    }

    public void Dispose()
    {
        if (_isBrotli)
        {
            _brotli.Dispose();
        }

        _inflate?.Dispose();
    }

    private void WriteBrotli(ReadOnlySpan<byte> encoded, byte[] output, IUsageReader reader)
    {
        while (true)
        {
            var status = _brotli.Decompress(encoded, output, out var consumed, out var written);
            if (written > 0)
            {
                reader.Write(output.AsSpan(0, written));
            }

            encoded = encoded[consumed..];
            switch (status)
            {
                case System.Buffers.OperationStatus.DestinationTooSmall:
                    continue;
                case System.Buffers.OperationStatus.InvalidData:
                    Failed = true;
                    return;
                case System.Buffers.OperationStatus.Done:
                    _done = true;
                    return;
                default:
                    return; // needs more data: the decoder keeps what it consumed
            }
        }
    }

    private void WriteInflate(ReadOnlySpan<byte> encoded, byte[] output, IUsageReader reader)
    {
        var input = ArrayPool<byte>.Shared.Rent(encoded.Length);
        try
        {
            encoded.CopyTo(input);
            _feed!.Set(input, encoded.Length);
            int read;
            while ((read = _inflate!.Read(output, 0, output.Length)) > 0)
            {
                reader.Write(output.AsSpan(0, read));
            }
        }
        finally
        {
            _feed!.Set(null, 0);
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    /// <summary>The inflater's source: the chunk being decoded; empty (a read of 0) until the next chunk arrives.</summary>
    private sealed class Feed : Stream
    {
        private byte[]? _buffer;
        private int _position;
        private int _length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Set(byte[]? buffer, int length)
        {
            _buffer = buffer;
            _position = 0;
            _length = length;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, _length - _position);
            if (n <= 0 || _buffer is null)
            {
                return 0;
            }

            _buffer.AsSpan(_position, n).CopyTo(buffer);
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
}
