using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>
/// Feeds one sink from its own bounded queue of batches, so a slow or failing sink holds up nobody else.
/// Failed writes are retried with exponential backoff and jitter; a batch that fails every try is counted and logged.
/// </summary>
internal sealed class SinkWorker
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>How long the pump waits for room in a full sink queue before it calls the sink stalled.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(1);

    private readonly ICostSink _sink;
    private readonly string _name;
    private readonly Channel<SinkItem> _queue;
    private readonly LlmCostCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _abort;
    private readonly int _maxRetries;
    private readonly TimeSpan _retryDelay;
    private bool _stalled;

    public SinkWorker(ICostSink sink, LlmCostOptions options, LlmCostCounters counters, TimeProvider time, ILogger logger, CancellationToken abort)
    {
        _sink = sink;
        _name = sink.GetType().Name;
        _counters = counters;
        _time = time;
        _logger = logger;
        _abort = abort;
        _maxRetries = options.Sinks.MaxRetries;
        _retryDelay = options.Sinks.RetryDelay;
        _queue = Channel.CreateBounded<SinkItem>(new BoundedChannelOptions(options.Sinks.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
            AllowSynchronousContinuations = false,
        });
        Completion = Task.Run(RunAsync, CancellationToken.None);
    }

    public Task Completion { get; }

    /// <summary>
    /// Hands a batch to the sink's queue. A burst waits (up to <see cref="StallTimeout"/>) for a healthy sink to catch
    /// up; a sink that stays full is marked stalled and its batches are dropped and counted at once, so it cannot slow
    /// the other sinks, until it accepts a batch again. Called by the pump only.
    /// </summary>
    public async ValueTask OfferAsync(CostRecord[] records)
    {
        var item = new SinkItem(records, null);
        if (_queue.Writer.TryWrite(item))
        {
            _stalled = false;
            return;
        }

        if (!_stalled)
        {
            using var stall = new CancellationTokenSource(StallTimeout, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stall.Token, _abort);
            try
            {
                while (await _queue.Writer.WaitToWriteAsync(timeout.Token).ConfigureAwait(false))
                {
                    if (_queue.Writer.TryWrite(item))
                    {
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Still full after the stall timeout, or shutting down.
            }

            _stalled = true;
        }

        _counters.DroppedBySink(records.Length);
        Log.SinkQueueFull(_logger, _name, records.Length);
    }

    public ValueTask FlushAsync(FlushSignal signal) => _queue.Writer.WriteAsync(new SinkItem(null, signal), _abort);

    public void Complete() => _queue.Writer.TryComplete();

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (item.Records is { } records)
                {
                    await WriteAsync(records).ConfigureAwait(false);
                }

                item.Flush?.Signal();
            }
        }
    }

    private async Task WriteAsync(CostRecord[] records)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_abort.IsCancellationRequested)
            {
                _counters.DroppedBySink(records.Length);
                return;
            }

            try
            {
                await _sink.WriteAsync(records, _abort).ConfigureAwait(false);
                _counters.Written(records.Length);
                return;
            }
            catch (Exception ex)
            {
                _counters.SinkFailed();
                if (attempt >= _maxRetries || _abort.IsCancellationRequested)
                {
                    _counters.DroppedBySink(records.Length);
                    Log.SinkGaveUp(_logger, _name, records.Length, attempt + 1, ex);
                    return;
                }

                var delay = Backoff(attempt);
                Log.SinkRetrying(_logger, _name, attempt + 1, delay, ex);
                try
                {
                    await Task.Delay(delay, _time, _abort).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Shutdown gave up waiting; the next loop counts the batch as dropped.
                }
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _retryDelay * Math.Pow(2, attempt);
        var capped = exponential < MaxBackoff ? exponential : MaxBackoff;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4)); // ±20% jitter so many apps do not retry in step
    }

    private readonly record struct SinkItem(CostRecord[]? Records, FlushSignal? Flush);
}
