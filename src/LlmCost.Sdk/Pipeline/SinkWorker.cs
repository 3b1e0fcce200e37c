using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>
/// Feeds one sink from its own bounded queue of batches, on its own thread, so a slow, hung or failing sink holds up
/// nobody else and a starved thread pool does not stop it. Each write is bounded by
/// <see cref="LlmCostSinkOptions.WriteTimeout"/>; failed writes are retried with exponential backoff and jitter; a
/// batch that fails every try (or times out) is counted and logged, or, with a disk spool, kept on disk and replayed
/// in order when the sink takes writes again.
/// </summary>
internal sealed class SinkWorker
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>How long the pump waits for room in a full sink queue before it calls the sink stalled.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(1);

    private readonly ICostSink _sink;
    private readonly int _index;
    private readonly string _name;
    private readonly object _gate = new();
    private readonly Queue<SinkItem> _items = new();
    private readonly int _capacity;
    private readonly DiskSpool? _spool;
    private readonly LlmCostCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _abort;
    private readonly int _maxRetries;
    private readonly TimeSpan _retryDelay;
    private readonly TimeSpan _writeTimeout;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _batches;
    private long _pendingRecords;
    private bool _completed;
    private bool _stalled;

    // Disk spool state (this worker's thread only): the next spooled batch to deliver, and whether the sink is down.
    private long _next;
    private bool _outage;
    private int _outageAttempts;
    private bool _verifyFirstReplay;
    private bool _behind;
    private long _retryAt; // during an outage, the time (the injected clock's timestamp) of the next replay attempt

    public SinkWorker(ICostSink sink, int index, LlmCostOptions options, DiskSpool? spool, LlmCostCounters counters, TimeProvider time, ILogger logger, CancellationToken abort)
    {
        _sink = sink;
        _index = index;
        _name = sink.GetType().Name;
        _spool = spool;
        _counters = counters;
        _time = time;
        _logger = logger;
        _abort = abort;
        _maxRetries = options.Sinks.MaxRetries;
        _retryDelay = options.Sinks.RetryDelay;
        _writeTimeout = options.Sinks.WriteTimeout;
        _capacity = options.Sinks.QueueCapacity;
        if (spool is not null)
        {
            _next = spool.Acknowledged(index) + 1;
            _outage = _next <= spool.LastSequence; // batches left from an earlier run (or outage): replay them first
            _verifyFirstReplay = _outage;
        }

        abort.UnsafeRegister(static s => ((SinkWorker)s!).Wake(), this);
        var thread = new Thread(Run) { IsBackground = true, Name = "LlmCost sink " + _name };
        thread.UnsafeStart(); // no ExecutionContext: sinks never see a caller's scope
    }

    public Task Completion => _done.Task;

    /// <summary>Gets the number of records queued for this sink and not yet written (for the shutdown log).</summary>
    public long PendingRecords => Interlocked.Read(ref _pendingRecords);

    /// <summary>
    /// Hands a batch to the sink's queue. A burst waits (up to <see cref="StallTimeout"/>) for a healthy sink to catch
    /// up; a sink that stays full is marked stalled and its batches are dropped and counted at once (or left in the
    /// spool), so it cannot slow the other sinks, until it accepts a batch again. Called by the pump only.
    /// </summary>
    public void Offer(SinkBatch batch)
    {
        lock (_gate)
        {
            if (_batches < _capacity || WaitForRoom())
            {
                _items.Enqueue(new SinkItem(batch, null));
                _batches++;
                _pendingRecords += batch.Records.Length;
                _stalled = false;
                Monitor.PulseAll(_gate);
                return;
            }
        }

        if (_spool is null || batch.Sequence == 0)
        {
            _counters.DroppedBySink(batch.Records.Length);
            Log.SinkQueueFull(_logger, _name, batch.Records.Length);
        }
        else
        {
            Volatile.Write(ref _behind, true); // the batch is on disk: the worker catches up from the spool
            Wake();
        }

        batch.Settle(false);
    }

    /// <summary>Queues a flush marker; it is never refused, so a flush always completes.</summary>
    public void Flush(FlushSignal signal)
    {
        lock (_gate)
        {
            _items.Enqueue(new SinkItem(null, signal));
            Monitor.PulseAll(_gate);
        }
    }

    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    private void Wake()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }

    private bool WaitForRoom()
    {
        if (_stalled)
        {
            return false;
        }

        var deadline = Environment.TickCount64 + (long)StallTimeout.TotalMilliseconds;
        while (_batches >= _capacity)
        {
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || _abort.IsCancellationRequested)
            {
                _stalled = true;
                return false;
            }

            Monitor.Wait(_gate, (int)remaining);
        }

        return true;
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                if (Volatile.Read(ref _behind))
                {
                    Volatile.Write(ref _behind, false);
                    _outage = true;
                }

                if (_outage && !_abort.IsCancellationRequested && _time.GetTimestamp() >= _retryAt)
                {
                    ReplaySpool();
                }

                SinkItem item;
                lock (_gate)
                {
                    while (_items.Count == 0 && !_completed)
                    {
                        if (_outage && !_abort.IsCancellationRequested)
                        {
                            WaitLocked(_time.GetElapsedTime(_time.GetTimestamp(), _retryAt));
                            break;
                        }

                        Monitor.Wait(_gate);
                    }

                    if (_items.Count == 0)
                    {
                        if (_completed)
                        {
                            break;
                        }

                        continue; // an outage retry is due
                    }

                    item = _items.Dequeue();
                    if (item.Batch is not null)
                    {
                        _batches--;
                        Monitor.PulseAll(_gate);
                    }
                }

                if (item.Batch is { } batch)
                {
                    Deliver(batch);
                    Interlocked.Add(ref _pendingRecords, -batch.Records.Length);
                }

                item.Flush?.Signal();
            }
        }
        catch (Exception ex)
        {
            _counters.InternalError();
            Log.InternalError(_logger, ex);
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private void Deliver(SinkBatch batch)
    {
        if (_spool is null || batch.Sequence == 0)
        {
            // No spool (or the spool could not take this batch): a loss is counted here.
            batch.Settle(WriteWithRetries(batch.Records, _maxRetries, countLoss: true));
            return;
        }

        // With a spool the batch is already on disk: deliver in sequence, from disk when behind.
        if (batch.Sequence > _next && !_outage)
        {
            _outage = true; // a batch was skipped (queue full): catch up from the spool
        }

        if (_outage || _abort.IsCancellationRequested)
        {
            if (!_abort.IsCancellationRequested && _time.GetTimestamp() >= _retryAt)
            {
                ReplaySpool(); // otherwise the batch waits on disk for the next attempt, after the backoff
            }

            batch.Settle(!_outage && batch.Sequence < _next);
            return;
        }

        if (batch.Sequence < _next)
        {
            batch.Settle(true); // already delivered by a replay
            return;
        }

        if (WriteWithRetries(batch.Records, _maxRetries, countLoss: false))
        {
            Acknowledge(batch.Sequence);
            batch.Settle(true);
        }
        else
        {
            EnterOutage();
            batch.Settle(false);
        }
    }

    /// <summary>Delivers spooled batches in order until the spool is caught up or a write fails.</summary>
    private void ReplaySpool()
    {
        var spool = _spool!;
        while (_next <= spool.LastSequence && !_abort.IsCancellationRequested)
        {
            var records = spool.Read(_next);
            if (records is null)
            {
                _next++; // removed by the spool's size or age bound (counted there) or unreadable (counted)
                continue;
            }

            if (_verifyFirstReplay)
            {
                // The process may have died after this batch reached the sink and before its acknowledgement: a sink
                // that can tell (JSON Lines) is asked, so the replay never writes a record twice.
                _verifyFirstReplay = false;
                if (_sink is JsonLinesCostSink file && file.Contains(records[^1].Id))
                {
                    Acknowledge(_next);
                    continue;
                }
            }

            if (!WriteWithRetries(records, retries: 0, countLoss: false))
            {
                _outageAttempts++;
                _retryAt = _time.GetTimestamp() + (long)(OutageBackoff().TotalSeconds * _time.TimestampFrequency);
                return;
            }

            _counters.Replayed(records.Length);
            Acknowledge(_next);
        }

        if (_outage && !_abort.IsCancellationRequested)
        {
            _outage = false;
            _outageAttempts = 0;
            Log.SpoolCaughtUp(_logger, _name);
        }
    }

    private void EnterOutage()
    {
        if (!_outage)
        {
            _outage = true;
            _outageAttempts = 0;
            _retryAt = _time.GetTimestamp() + (long)(OutageBackoff().TotalSeconds * _time.TimestampFrequency);
            Log.SinkSpooling(_logger, _name);
        }
    }

    private void Acknowledge(long sequence)
    {
        _spool!.Acknowledge(_index, sequence);
        _next = sequence + 1;
    }

    private TimeSpan OutageBackoff() => Backoff(Math.Min(_outageAttempts, 16));

    /// <summary>Writes a batch, retrying failures; returns whether the sink took it. A loss is counted when asked (no spool).</summary>
    private bool WriteWithRetries(CostRecord[] records, int retries, bool countLoss)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_abort.IsCancellationRequested)
            {
                if (countLoss)
                {
                    _counters.DroppedBySink(records.Length);
                }

                return false;
            }

            var error = TryWrite(records, out var timedOut);
            if (error is null)
            {
                _counters.SinkWrote(records.Length);
                return true;
            }

            _counters.SinkFailed();
            if (timedOut)
            {
                _counters.SinkTimedOut();
            }

            // A write that outlived its timeout is abandoned (its token cancelled), not retried: a hung sink would
            // otherwise hold every batch behind it for (retries + 1) timeouts.
            if (attempt >= retries || timedOut || _abort.IsCancellationRequested)
            {
                if (countLoss)
                {
                    _counters.DroppedBySink(records.Length);
                    if (timedOut)
                    {
                        Log.SinkTimedOut(_logger, _name, _writeTimeout, records.Length);
                    }
                    else
                    {
                        Log.SinkGaveUp(_logger, _name, records.Length, attempt + 1, error);
                    }
                }

                return false;
            }

            var delay = Backoff(attempt);
            Log.SinkRetrying(_logger, _name, attempt + 1, delay, error);
            Sleep(delay);
        }
    }

    /// <summary>One write, bounded by the write timeout and the shutdown abort. Returns the failure, or null.</summary>
    private Exception? TryWrite(CostRecord[] records, out bool timedOut)
    {
        timedOut = false;
        var bounded = _writeTimeout != Timeout.InfiniteTimeSpan;
        using var timeout = bounded && !IsSystemClock ? new CancellationTokenSource(_writeTimeout, _time) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_abort, timeout?.Token ?? CancellationToken.None);
        Task task;
        try
        {
            task = _sink.WriteAsync(records, linked.Token);
        }
        catch (Exception ex)
        {
            return ex;
        }

        if (!task.IsCompleted)
        {
            var realTimeout = bounded && IsSystemClock ? (int)Math.Min(int.MaxValue, Math.Ceiling(_writeTimeout.TotalMilliseconds)) : Timeout.Infinite;
            try
            {
                // Task.Wait is released by whichever thread completes the write, not by a thread-pool callback.
                task.Wait(realTimeout, linked.Token);
            }
            catch (OperationCanceledException)
            {
                // Timed out (fake clock) or shutdown: decided below.
            }
            catch (AggregateException)
            {
                // The write failed: read below.
            }
        }

        if (!task.IsCompleted)
        {
            timedOut = !_abort.IsCancellationRequested;
            try
            {
                linked.Cancel(); // tell the sink to stop; its write is abandoned
            }
            catch (AggregateException)
            {
                // The sink's cancellation callback threw; nothing more to do.
            }

            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return timedOut ? new TimeoutException("The sink write did not complete within " + _writeTimeout + ".") : new OperationCanceledException(_abort);
        }

        if (task.IsCompletedSuccessfully)
        {
            return null;
        }

        if (task.IsCanceled && timeout is not null && timeout.IsCancellationRequested && !_abort.IsCancellationRequested)
        {
            timedOut = true;
        }

        return task.Exception?.InnerException ?? new OperationCanceledException();
    }

    private bool IsSystemClock => ReferenceEquals(_time, TimeProvider.System);

    /// <summary>Sleeps for a backoff on the injected clock; the shutdown abort ends it early.</summary>
    private void Sleep(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        if (IsSystemClock)
        {
            _abort.WaitHandle.WaitOne(delay);
            return;
        }

        using var timer = new CancellationTokenSource(delay, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, _abort);
        linked.Token.WaitHandle.WaitOne();
    }

    /// <summary>Waits on the gate (held) for a pulse or the timeout on the injected clock.</summary>
    private void WaitLocked(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return;
        }

        if (IsSystemClock)
        {
            Monitor.Wait(_gate, timeout);
            return;
        }

        using var timer = _time.CreateTimer(static s => ((SinkWorker)s!).Wake(), this, timeout, Timeout.InfiniteTimeSpan);
        Monitor.Wait(_gate);
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _retryDelay * Math.Pow(2, attempt);
        var capped = exponential < MaxBackoff ? exponential : MaxBackoff;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4)); // ±20% jitter so many apps do not retry in step
    }

    private readonly record struct SinkItem(SinkBatch? Batch, FlushSignal? Flush);
}
