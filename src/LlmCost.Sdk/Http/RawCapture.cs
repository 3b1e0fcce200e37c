using System.Buffers;

namespace LlmCost.Sdk;

/// <summary>
/// The raw bytes of one side of one call (the request body, or a streamed response), kept only so its tokens can be
/// estimated when the provider reports no usage (<see cref="ILlmUsageEstimator"/>). The readers never look into them: the
/// estimator picks the text out, off the request path.
/// </summary>
/// <remarks>
/// Memory is constant per call: the buffer is rented from a shared pool at the first byte, grows by doubling from 1 KiB,
/// and never passes <see cref="MaxBytes"/> (64 KiB); bytes past the cap are only counted (<see cref="TotalBytes"/>), so the
/// estimate can be scaled up. Not thread-safe: one call's bytes are written by one reader at a time; the estimator takes
/// it over when the call ends. The bytes are never stored or logged.
/// </remarks>
internal sealed class RawCapture
{
    /// <summary>The most bytes kept for one side of one call.</summary>
    public const int MaxBytes = 64 * 1024;

    private const int InitialBytes = 1024;

    /// <summary>
    /// The buffers' pool: shared by every thread (the app's threads rent, the estimator's returns), bounded to 32 buffers
    /// of each size (1–64 KiB), so at most about 4 MiB is kept idle.
    /// </summary>
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(MaxBytes, 32);

    private byte[]? _buffer;
    private int _length;

    /// <summary>Gets the number of bytes seen, kept or not.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Gets the bytes kept.</summary>
    public ReadOnlyMemory<byte> Kept => _buffer.AsMemory(0, _length);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        TotalBytes += bytes.Length;
        var room = MaxBytes - _length;
        if (room <= 0 || bytes.IsEmpty)
        {
            return;
        }

        var take = Math.Min(room, bytes.Length);
        if (_buffer is null || _buffer.Length - _length < take)
        {
            var size = Math.Max(InitialBytes, _buffer?.Length ?? 0);
            while (size - _length < take)
            {
                size *= 2;
            }

            var grown = Pool.Rent(Math.Min(size, MaxBytes));
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _length).CopyTo(grown);
                Pool.Return(_buffer);
            }

            _buffer = grown;
        }

        bytes[..take].CopyTo(_buffer.AsSpan(_length));
        _length += take;
    }

    /// <summary>Forgets what was captured (a request sent again) and keeps the buffer.</summary>
    public void Reset()
    {
        _length = 0;
        TotalBytes = 0;
    }

    /// <summary>Returns the buffer to the pool; the capture is empty afterwards.</summary>
    public void Release()
    {
        if (_buffer is not null)
        {
            Pool.Return(_buffer);
            _buffer = null;
        }

        _length = 0;
    }
}
