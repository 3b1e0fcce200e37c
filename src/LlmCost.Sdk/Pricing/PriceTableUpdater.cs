using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Reads <see cref="LlmCostOptions.PriceTableUpdate"/>'s source on its interval and swaps a valid table into the
/// <see cref="PriceTableSource"/>; on any failure the last good table stays, a warning is logged and the failure counted.
/// </summary>
/// <remarks>Runs on a timer of the injected <see cref="TimeProvider"/>, off every caller's path; one read at a time.</remarks>
internal sealed class PriceTableUpdater : IDisposable
{
    /// <summary>The largest table accepted: 32 MiB (the embedded one is well under 1 MiB).</summary>
    internal const int MaxBytes = 32 * 1024 * 1024;

    /// <summary>The name of the <see cref="HttpClient"/> that reads a URL source.</summary>
    internal const string HttpClientName = "LlmCost.PriceTableUpdate";

    private readonly PriceTableSource _source;
    private readonly LlmCostOptions _options;
    private readonly Func<HttpClient> _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private byte[]? _lastBytes;
    private long _updates;
    private long _failures;

    public PriceTableUpdater(PriceTableSource source, IOptions<LlmCostOptions> options, Func<HttpClient> http, TimeProvider time, ILogger<PriceTableUpdater>? logger = null)
    {
        _source = source;
        _options = options.Value;
        _http = http;
        _time = time;
        _logger = logger ?? NullLogger<PriceTableUpdater>.Instance;
    }

    /// <summary>Gets the number of tables taken.</summary>
    public long Updates => Interlocked.Read(ref _updates);

    /// <summary>Gets the number of failed reads (the last good table stayed).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Raised after each read, with <see langword="true"/> when a new table was taken; tests wait on it.</summary>
    internal event Action<bool>? Polled;

    /// <summary>Starts polling when <see cref="LlmCostOptions.PriceTableUpdate"/> names a source (called by the SDK's hosted service at host start).</summary>
    public void Start()
    {
        var update = _options.PriceTableUpdate;
        if (string.IsNullOrWhiteSpace(update.Source) || _timer is not null)
        {
            return;
        }

        using (ExecutionContext.SuppressFlow())
        {
            _timer = _time.CreateTimer(static state => _ = ((PriceTableUpdater)state!).PollAsync(), this, TimeSpan.Zero, update.Interval);
        }
    }

    /// <summary>Stops polling.</summary>
    public void Stop()
    {
        _timer?.Dispose();
        _stopping.Cancel();
    }

    public void Dispose()
    {
        // The hosted service may call Stop after the container disposed this (or never): both only cancel and stop the timer.
        _timer?.Dispose();
        _stopping.Cancel();
    }

    /// <summary>Reads the source once; never throws.</summary>
    /// <returns><see langword="true"/> when a new table was taken.</returns>
    public async Task<bool> PollAsync()
    {
        var source = _options.PriceTableUpdate.Source;
        if (string.IsNullOrWhiteSpace(source) || _stopping.IsCancellationRequested || !await _gate.WaitAsync(0).ConfigureAwait(false))
        {
            return false; // a read is already running
        }

        var taken = false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_options.PriceTableUpdate.Timeout);
            var bytes = await ReadAsync(source, timeout.Token).ConfigureAwait(false);
            if (_lastBytes is not null && bytes.AsSpan().SequenceEqual(_lastBytes))
            {
                return false; // unchanged since the last good read
            }

            var table = Validate(bytes);
            _source.Swap(table);
            _lastBytes = bytes;
            Interlocked.Increment(ref _updates);
            Log.PriceTableUpdated(_logger, table.Version, Describe(source), table.Entries.Count);
            taken = true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failed read never changes what prices calls; it is logged (without the body) and counted.
            var failures = Interlocked.Increment(ref _failures);
            Log.PriceTableUpdateFailed(_logger, Describe(source), failures, Reason(ex), _source.Current.Version);
        }
        finally
        {
            _gate.Release();
        }

        Polled?.Invoke(taken);
        return taken;
    }

    /// <summary>Validates a table as the embedded one is, then applies <see cref="LlmCostOptions.Prices"/> on top.</summary>
    private PriceTable Validate(byte[] bytes)
    {
        var table = PriceTableFactory.Load(bytes);
        if (table.Entries.Count == 0)
        {
            throw new PriceTableException("The price table has no entries.");
        }

        return PriceTableFactory.ApplyOptionPrices(table, _options);
    }

    private async Task<byte[]> ReadAsync(string source, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            var client = _http();
            using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength > MaxBytes)
            {
                throw new PriceTableException($"The price table is larger than {MaxBytes} bytes.");
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await ReadCappedAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }

        var file = File.OpenRead(source);
        await using (file.ConfigureAwait(false))
        {
            return await ReadCappedAsync(file, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new PriceTableException($"The price table is larger than {MaxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>A URL without its query (it may carry a token) or the file path.</summary>
    private static string Describe(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.GetLeftPart(UriPartial.Path) : source;

    private static string Reason(Exception ex) => ex switch
    {
        OperationCanceledException => "timed out",
        PriceTableException => ex.Message,
        HttpRequestException http => http.StatusCode is { } status ? $"HTTP {(int)status}" : "HTTP request failed: " + http.HttpRequestError,
        _ => ex.GetType().Name + ": " + ex.Message,
    };
}
