using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// The background half of the SDK: a bounded queue that the handler never waits on, a pump that batches by size and
/// by time, and one worker per sink with its own bounded queue, retries and backoff.
/// </summary>
/// <remarks>
/// Modelled on OpenTelemetry's BatchExportProcessor, with Serilog's BatchingSink flaw avoided: the queue is in
/// <see cref="BoundedChannelFullMode.Wait"/> mode so <c>TryWrite</c> returns <see langword="false"/> when full, and
/// every drop is counted. The pump and workers start under <see cref="ExecutionContext.SuppressFlow"/> on the thread
/// pool, so they never carry a caller's <see cref="LlmCostScope"/> and never run on an application thread.
/// </remarks>
internal sealed partial class LlmCostPipeline : IAsyncDisposable, IDisposable
{
    private readonly Channel<PipelineItem> _queue;
    private readonly SinkWorker[] _workers;
    private readonly LlmCostCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _batchDelay;
    private readonly TimeSpan _shutdownTimeout;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task _pump;
    private readonly Lock _shutdownLock = new();
    private Task? _shutdown;
    private TaskCompletionSource _batchReady = NewSignal();
    private volatile bool _completing;
    private int _pendingFlushes;
    private long _depth; // records queued and not yet taken by the pump; cheaper than the channel's locked Count

    public LlmCostPipeline(
        IEnumerable<ICostSink> sinks,
        IOptions<LlmCostOptions> options,
        LlmCostCounters counters,
        TimeProvider time,
        ILogger<LlmCostPipeline> logger)
    {
        var o = options.Value;
        _counters = counters;
        _time = time;
        _logger = logger;
        _maxBatchSize = o.Pipeline.MaxBatchSize;
        _batchDelay = o.Pipeline.BatchDelay;
        _shutdownTimeout = o.ShutdownTimeout;
        _queue = Channel.CreateBounded<PipelineItem>(new BoundedChannelOptions(o.Pipeline.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });

        using (ExecutionContext.SuppressFlow())
        {
            _workers = [.. sinks.Distinct().Select(s => new SinkWorker(s, o, counters, time, logger, _abort.Token))];
            _pump = Task.Run(PumpAsync, CancellationToken.None);
        }
    }

    public bool TryWrite(CostRecord record) => TryWriteItem(record);

    /// <summary>Queues a finished call whose record the pump builds and prices (<see cref="PendingRecord"/>).</summary>
    public bool TryWrite(PendingRecord call) => TryWriteItem(call);

    private bool TryWriteItem(object record)
    {
        if (_queue.Writer.TryWrite(new PipelineItem(record, null)))
        {
            _counters.Queued();
            if (Interlocked.Increment(ref _depth) >= _maxBatchSize)
            {
                // A full batch is waiting: end the pump's linger now rather than at the batch delay.
                Volatile.Read(ref _batchReady).TrySetResult();
            }

            return true;
        }

        var dropped = _counters.DroppedQueueFull();
        if (dropped == 1 || dropped % 1000 == 0)
        {
            Log.RecordsDropped(_logger, dropped);
        }

        return false;
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var signal = new FlushSignal(_workers.Length);
        Interlocked.Increment(ref _pendingFlushes);
        try
        {
            await _queue.Writer.WriteAsync(new PipelineItem(null, signal), cancellationToken).ConfigureAwait(false);
            Volatile.Read(ref _batchReady).TrySetResult();
        }
        catch (ChannelClosedException)
        {
            Interlocked.Decrement(ref _pendingFlushes);
            // Shutting down: the shutdown drains everything that was queued.
            var shutdown = _shutdown;
            if (shutdown is not null)
            {
                await shutdown.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting records, drains the queue into the sinks and waits for them, within the shutdown timeout.</summary>
    public Task ShutdownAsync()
    {
        lock (_shutdownLock)
        {
            return _shutdown ??= DrainAsync();
        }
    }

    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    public void Dispose()
    {
        // A synchronous Dispose of the service provider must still flush: block, bounded by the shutdown timeout.
        ShutdownAsync().GetAwaiter().GetResult();
    }

    private async Task DrainAsync()
    {
        _completing = true;
        _queue.Writer.TryComplete();
        Volatile.Read(ref _batchReady).TrySetResult();
        var all = Task.WhenAll(_workers.Select(w => w.Completion).Prepend(_pump));
        try
        {
            await all.WaitAsync(_shutdownTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.ShutdownTimedOut(_logger, _shutdownTimeout);
            await _abort.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _counters.InternalError();
            Log.InternalError(_logger, ex);
        }
    }

    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<CostRecord>(Math.Min(_maxBatchSize, 1024));
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                // Linger until a batch is full, a flush is asked for, or the batch delay passes. Writers wake the
                // pump once per batch, not once per record: no thread-pool work item per LLM call.
                var ready = Volatile.Read(ref _batchReady).Task;
                if (!ready.IsCompleted && !_completing && Volatile.Read(ref _pendingFlushes) == 0
                    && Volatile.Read(ref _depth) < _maxBatchSize && _batchDelay > TimeSpan.Zero)
                {
                    await Task.WhenAny(ready, Task.Delay(_batchDelay, _time)).ConfigureAwait(false);
                }

                if (ready.IsCompleted)
                {
                    Interlocked.Exchange(ref _batchReady, NewSignal());
                }

                // Keep draining while full batches wait or a flush is pending behind them.
                FlushSignal? flush;
                int drained;
                do
                {
                    flush = Drain(reader, batch);
                    drained = batch.Count;
                    await DispatchAsync(batch, flush).ConfigureAwait(false);
                }
                while (flush is not null || (drained > 0 && (Volatile.Read(ref _pendingFlushes) > 0 || Volatile.Read(ref _depth) >= _maxBatchSize)));
            }

            await DispatchAsync(batch, null).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _counters.InternalError();
            Log.InternalError(_logger, ex);
        }
        finally
        {
            foreach (var worker in _workers)
            {
                worker.Complete();
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FlushSignal? Drain(ChannelReader<PipelineItem> reader, List<CostRecord> batch)
    {
        while (batch.Count < _maxBatchSize && reader.TryRead(out var item))
        {
            if (item.Flush is not null)
            {
                Interlocked.Decrement(ref _pendingFlushes);
                return item.Flush;
            }

            Interlocked.Decrement(ref _depth);
            if (ToRecord(item.Record!) is { } record)
            {
                batch.Add(record);
            }
        }

        return null;
    }

    private async ValueTask DispatchAsync(List<CostRecord> batch, FlushSignal? flush)
    {
        if (batch.Count > 0)
        {
            CostRecord[] records = [.. batch];
            batch.Clear();
            foreach (var worker in _workers)
            {
                await worker.OfferAsync(records).ConfigureAwait(false);
            }
        }

        if (flush is not null)
        {
            if (_workers.Length == 0)
            {
                flush.Signal();
            }

            foreach (var worker in _workers)
            {
                await worker.FlushAsync(flush).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A queued record, or a finished call built into its priced record here, off the caller's path.</summary>
    private static CostRecord? ToRecord(object item) =>
        item as CostRecord ?? (item is PendingRecord call ? call.Writer.Complete(call) : null);

    /// <summary>A <see cref="CostRecord"/>, a <see cref="PendingRecord"/>, or a flush.</summary>
    private readonly record struct PipelineItem(object? Record, FlushSignal? Flush);
}
