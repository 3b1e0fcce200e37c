using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// The background half of the SDK: a bounded queue that the handler never waits on, a pump that batches by size and
/// by time, and one worker per sink with its own bounded queue, write timeout, retries and backoff (and, opt-in, a
/// disk spool that keeps what a sink cannot take).
/// </summary>
/// <remarks>
/// Modelled on OpenTelemetry's BatchExportProcessor: the pump runs on its own long-running thread that waits on a
/// signal, so an application that floods or starves the thread pool (synchronous callers in a burst) cannot stop it
/// from draining the queue. Serilog's BatchingSink flaw is avoided: the queue is in
/// <see cref="BoundedChannelFullMode.Wait"/> mode so <c>TryWrite</c> returns <see langword="false"/> when full, and
/// every drop is counted. The pump and the sink workers start their threads without the caller's
/// <see cref="ExecutionContext"/>, so they never carry a caller's <see cref="LlmCostScope"/>. Shutdown is bounded by
/// <see cref="LlmCostOptions.ShutdownTimeout"/> whatever the sinks do: when it passes, sinks are cancelled and what was
/// left is counted and logged.
/// </remarks>
internal sealed partial class LlmCostPipeline : IAsyncDisposable, IDisposable
{
    /// <summary>How long shutdown waits, after giving up on the sinks, for the threads to count what they drop.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);

    private readonly Channel<PipelineItem> _queue;
    private readonly SinkWorker[] _workers;
    private readonly DiskSpool? _spool;
    private readonly LlmCostCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _maxBatchSize;
    private readonly long _pressure;
    private readonly TimeSpan _batchDelay;
    private readonly TimeSpan _shutdownTimeout;
    private readonly CancellationTokenSource _abort = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly TaskCompletionSource _pumpDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _shutdownLock = new();
    private Task? _shutdown;
    private volatile bool _completing;
    private int _aborted;
    private int _pendingFlushes;
    private long _depth; // records queued and not yet taken by the pump; cheaper than the channel's locked Count
    private int _idle;   // 1 while the pump waits for the first record (the only time a writer must wake it)
    private long _writerWakes; // how often a writer woke an idle pump (tests: a call within a batch delay of the last wakes nothing)

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
        _pressure = Math.Max(o.Pipeline.MaxBatchSize, o.Pipeline.QueueCapacity * 3L / 4);
        _batchDelay = o.Pipeline.BatchDelay;
        _shutdownTimeout = o.ShutdownTimeout;
        _queue = Channel.CreateBounded<PipelineItem>(new BoundedChannelOptions(o.Pipeline.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });

        var distinct = sinks.Distinct().ToArray();
        _spool = DiskSpool.Open(o, distinct, counters, time, logger);
        _workers = [.. distinct.Select((s, i) => new SinkWorker(s, i, o, _spool, counters, time, logger, _abort.Token))];
        var pump = new Thread(Pump) { IsBackground = true, Name = "LlmCost pump" };
        pump.UnsafeStart(); // no ExecutionContext: the pump never carries a caller's scope
    }

    /// <summary>
    /// The queue depth from which the HTTP calls' bytes are scanned on the caller's path before queueing
    /// (<see cref="Backlogged"/>): a queued call holds its pooled copy (4 KiB for a usual call, 16 KiB at most) until the
    /// pump scans it, so this bounds what the queue holds to about 4–16 MB. Two full batches (the default
    /// <c>MaxBatchSize</c> is 512, and a full batch wakes the pump): at 32 (the first value) a tight loop of calls kept
    /// the queue over the mark between the pump's wake-ups, every caller scanned as well as copied, and the handler's
    /// benchmark beside a no-op handler went from +1.7 to +4.9 µs (benchmarks/README.md).
    /// </summary>
    public const int BackloggedDepth = 1024;

    /// <summary>
    /// Gets a value indicating whether the pump is behind (<see cref="BackloggedDepth"/> or more calls wait): callers then
    /// do the scan themselves, which bounds the bytes held in the queue and slows callers down instead of dropping records.
    /// </summary>
    public bool Backlogged => Volatile.Read(ref _depth) >= BackloggedDepth;

    /// <summary>Gets how often a writer woke the pump (an idle pump's first record, or a full batch ending its linger).</summary>
    internal long WriterWakes => Volatile.Read(ref _writerWakes);

    /// <summary>Gets a value indicating whether the pump sleeps until a writer wakes it (it stays warm for a batch delay after its last record).</summary>
    internal bool Idle => Volatile.Read(ref _idle) != 0;

    public bool TryWrite(CostRecord record) => TryWriteItem(record);

    /// <summary>Queues a finished call whose record the pump builds and prices (<see cref="PendingRecord"/>).</summary>
    public bool TryWrite(PendingRecord call) => TryWriteItem(call, count: !call.CountedWhenBuilt);

    private bool TryWriteItem(object record, bool count = true)
    {
        if (_queue.Writer.TryWrite(new PipelineItem(record, null)))
        {
            if (count)
            {
                _counters.Queued();
            }

            var depth = Interlocked.Increment(ref _depth);
            if ((depth == 1 && Volatile.Read(ref _idle) != 0) || (depth >= _maxBatchSize && !_wake.IsSet))
            {
                // Wake the pump when work arrives at an idle pump and when a full batch waits (ending its linger): about
                // once per batch, not once per record (a lingering pump builds ahead on its own, see Linger), and no
                // thread-pool work item per LLM call.
                _wake.Set();
                Interlocked.Increment(ref _writerWakes);
            }

            if (depth >= _pressure)
            {
                // The queue is three-quarters full: the pump is runnable but short of CPU (many busy callers on few
                // cores). Yield this caller's time slice so it drains, rather than dropping records later.
                Thread.Yield();
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
            _wake.Set();
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
        catch
        {
            Interlocked.Decrement(ref _pendingFlushes);
            throw;
        }

        await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Flushes for the host's stop, bounded by the shutdown timeout (and the host's token): when either passes, the
    /// sinks are given up on, so the hosted services stopped after this one still get the host's shutdown budget.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var flush = FlushAsync(CancellationToken.None);
        try
        {
            await flush.WaitAsync(_shutdownTimeout, _time, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (TimeoutException)
        {
            // Past the shutdown timeout: give up on the sinks below.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Past the host's own budget: give up on the sinks below.
        }

        Abort();
        try
        {
            // The workers drop (or spool) the rest at once after the abort; wait briefly so the counters are final.
            await flush.WaitAsync(AbortGrace, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Counted as the workers get to it.
        }
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
        _wake.Set();
        var all = Task.WhenAll(_workers.Select(w => w.Completion).Prepend(_pumpDone.Task));
        try
        {
            try
            {
                await all.WaitAsync(_shutdownTimeout, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Abort();
                // The threads wake at once on the abort; wait (on the real clock, briefly) for them to count what they drop.
                await all.WaitAsync(AbortGrace).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _counters.InternalError();
            Log.InternalError(_logger, ex);
        }
        finally
        {
            _spool?.Dispose();
        }
    }

    /// <summary>Gives up on the sinks: cancels their writes and counts (or spools) everything still on its way.</summary>
    private void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        long inSinks = 0;
        foreach (var worker in _workers)
        {
            inSinks += worker.PendingRecords;
        }

        Log.ShutdownGaveUp(_logger, _shutdownTimeout, Math.Max(0, Volatile.Read(ref _depth)), inSinks, _spool is not null);
        try
        {
            _abort.Cancel();
        }
        catch (AggregateException ex)
        {
            // A sink's cancellation callback threw; the abort itself went through.
            _counters.InternalError();
            Log.InternalError(_logger, ex);
        }

        _wake.Set();
    }

    private void Pump()
    {
        var reader = _queue.Reader;
        var batch = new List<CostRecord>(Math.Min(_maxBatchSize, 1024));
        var warm = ReferenceEquals(_time, TimeProvider.System) && _batchDelay > TimeSpan.Zero;
        var lastWork = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                _wake.Reset();
                if (Volatile.Read(ref _pendingFlushes) == 0 && !reader.TryPeek(out _))
                {
                    if (_completing && reader.Completion.IsCompleted)
                    {
                        break;
                    }

                    if (warm && !_completing && Stopwatch.GetElapsedTime(lastWork) < _batchDelay)
                    {
                        // Kept warm for a batch delay after the last record: the pump looks at the queue every
                        // BuildAheadInterval without being woken, so a call that follows another within the delay (the
                        // usual traffic) never pays for waking a sleeping thread on its own path (a futex wake, ~1 µs of
                        // the caller's CPU). A flush, a full batch and shutdown still set the signal.
                        _wake.Wait(BuildAheadInterval);
                        continue;
                    }

                    // Idle: writers set the signal when the first record arrives. The flag is raised (a full fence) before
                    // the queue is looked at again, so a record written meanwhile is either seen here or wakes the pump.
                    Interlocked.Exchange(ref _idle, 1);
                    if (Volatile.Read(ref _pendingFlushes) == 0 && !reader.TryPeek(out _) && !_completing)
                    {
                        _wake.Wait();
                    }

                    Volatile.Write(ref _idle, 0);
                    continue;
                }

                lastWork = Stopwatch.GetTimestamp();

                // Linger until a batch is full, a flush is asked for, or the batch delay passes.
                if (!_completing && Volatile.Read(ref _pendingFlushes) == 0
                    && Volatile.Read(ref _depth) < _maxBatchSize && _batchDelay > TimeSpan.Zero
                    && Linger(reader, batch) is { } early)
                {
                    Dispatch(batch, early); // a flush met while building ahead
                    continue;
                }

                // Keep draining while full batches wait or a flush is pending behind them.
                FlushSignal? flush;
                int drained;
                do
                {
                    flush = Drain(reader, batch);
                    drained = batch.Count;
                    Dispatch(batch, flush);
                }
                while (flush is not null || (drained > 0 && (Volatile.Read(ref _pendingFlushes) > 0 || Volatile.Read(ref _depth) >= _maxBatchSize || _completing)));
            }

            Dispatch(batch, null);
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

            _pumpDone.TrySetResult();
        }
    }

    /// <summary>
    /// How often a lingering pump builds the records of the calls queued so far (<see cref="Linger"/>): an HTTP call holds
    /// its pooled copy until the pump has scanned it, and callers scan their own calls once 1,024 wait
    /// (<see cref="Backlogged"/>), so the pump keeps ahead of the batch delay without a wake-up per call.
    /// </summary>
    private static readonly TimeSpan BuildAheadInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Waits for the batch delay, or less when the signal is set, on the injected clock. On the system clock it wakes every
    /// <see cref="BuildAheadInterval"/> to build the records queued so far into <paramref name="batch"/> (scanning the HTTP
    /// calls' bytes and returning their buffers) while the batch fills; the batch is dispatched when the delay ends as before.
    /// </summary>
    /// <returns>A flush met while building ahead (the batch is to be dispatched with it now), or <see langword="null"/>.</returns>
    private FlushSignal? Linger(ChannelReader<PipelineItem> reader, List<CostRecord> batch)
    {
        if (ReferenceEquals(_time, TimeProvider.System))
        {
            var start = Stopwatch.GetTimestamp();
            while (true)
            {
                var remaining = _batchDelay - Stopwatch.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero || _wake.Wait(remaining < BuildAheadInterval ? remaining : BuildAheadInterval))
                {
                    return null; // the delay passed, a batch is full, a flush is asked for, or shutdown
                }

                if (Volatile.Read(ref _pendingFlushes) > 0 || _completing)
                {
                    return null;
                }

                if (Drain(reader, batch) is { } flush)
                {
                    return flush;
                }

                if (batch.Count >= _maxBatchSize)
                {
                    return null;
                }
            }
        }

        using var timer = _time.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), _wake, _batchDelay, Timeout.InfiniteTimeSpan);
        _wake.Wait();
        return null;
    }

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

    private void Dispatch(List<CostRecord> batch, FlushSignal? flush)
    {
        if (batch.Count > 0)
        {
            CostRecord[] records = [.. batch];
            batch.Clear();
            if (_workers.Length > 0)
            {
                var sequence = _spool?.Append(records) ?? 0;
                var sinkBatch = new SinkBatch(records, sequence, _workers.Length, _counters);
                foreach (var worker in _workers)
                {
                    worker.Offer(sinkBatch);
                }
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
                worker.Flush(flush);
            }
        }
    }

    /// <summary>A queued record, or a finished call built into its priced record here, off the caller's path (an HTTP call's bytes are scanned here first).</summary>
    private CostRecord? ToRecord(object item)
    {
        if (item is not PendingRecord call)
        {
            return item as CostRecord;
        }

        var record = call.CompleteOnPump();
        if (record is not null && call.CountedWhenBuilt)
        {
            _counters.Queued();
        }

        return record;
    }

    /// <summary>A <see cref="CostRecord"/>, a <see cref="PendingRecord"/>, or a flush.</summary>
    private readonly record struct PipelineItem(object? Record, FlushSignal? Flush);
}
