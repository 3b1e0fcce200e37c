using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Runs the registered <see cref="ILlmUsageEstimator"/> (such as LlmCost.Sdk.Tokenizers') for calls whose response
/// reported no usage, from the bytes captured as they passed through, and writes them with
/// <see cref="UsageSource.Estimated"/>, priced like any other record.
/// </summary>
/// <remarks>
/// <para>Never on the request path: a finished call hands a job to a bounded queue (<see cref="QueueCapacity"/> jobs)
/// read by one background consumer, started on first use on the thread pool under
/// <see cref="ExecutionContext.SuppressFlow"/> (so it never carries a caller's scope). When the queue is full the call is
/// recorded without usage, as it would be without estimation, and counted in <see cref="DroppedQueueFull"/>.</para>
/// <para>The call's span (when one records data) stays open until the estimated record has tagged it, with its end time
/// already set to the call's end by <see cref="HttpCallTracker"/>; the consumer stops it after writing the record, so the
/// span carries the model, usage, cost and attribution like any other. A job never processed (the provider disposed
/// first) leaves its span unexported.</para>
/// <para>Without a registered estimator nothing is captured (<see cref="Enabled"/> is false) and such calls are recorded
/// without usage and with a <see langword="null"/> cost. Never throws into anything: a failure of the estimator is counted
/// in <see cref="LlmCostStatistics.InternalErrors"/> and the call is recorded without usage.</para>
/// </remarks>
internal sealed class UsageEstimator : IAsyncDisposable, IDisposable
{
    /// <summary>The most calls that may wait for estimation.</summary>
    public const int QueueCapacity = 256;

    private readonly Channel<EstimationJob> _queue;
    private readonly ILlmUsageEstimator? _estimator;
    private readonly LlmCostCounters _counters;
    private readonly ILogger _logger;
    private readonly TimeSpan _shutdownTimeout;
    private readonly Lock _startLock = new();
    private Task? _consumer;
    private long _enqueued;
    private long _done;
    private long _droppedQueueFull;
    private TaskCompletionSource _progress = NewSignal();

    public UsageEstimator(IOptions<LlmCostOptions> options, LlmCostCounters counters, ILogger<UsageEstimator> logger, ILlmUsageEstimator? estimator = null)
    {
        _estimator = options.Value.EstimateMissingUsage ? estimator : null;
        _counters = counters;
        _logger = logger;
        _shutdownTimeout = options.Value.ShutdownTimeout;
        _queue = Channel.CreateBounded<EstimationJob>(new BoundedChannelOptions(QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary>Gets a value indicating whether calls without usage are estimated: an estimator is registered and <see cref="LlmCostOptions.EstimateMissingUsage"/> is on.</summary>
    public bool Enabled => _estimator is not null;

    /// <summary>Gets the number of calls recorded without an estimate because the queue was full.</summary>
    public long DroppedQueueFull => Volatile.Read(ref _droppedQueueFull);

    /// <summary>Gets or sets a test hook awaited by the consumer before each job.</summary>
    internal Func<Task>? BeforeEstimate { get; set; }

    /// <summary>Queues a job; <see langword="false"/> when the queue is full or shut down (the caller records the call without usage).</summary>
    public bool TryEnqueue(EstimationJob job)
    {
        EnsureStarted();
        if (_queue.Writer.TryWrite(job))
        {
            Interlocked.Increment(ref _enqueued);
            return true;
        }

        var dropped = Interlocked.Increment(ref _droppedQueueFull);
        if (dropped == 1 || dropped % 1000 == 0)
        {
            Log.EstimationQueueFull(_logger, dropped);
        }

        return false;
    }

    /// <summary>Waits until every job queued before this call has been estimated and recorded.</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        var target = Volatile.Read(ref _enqueued);
        while (Volatile.Read(ref _done) < target)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (Volatile.Read(ref _done) >= target)
            {
                return;
            }

            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        var consumer = _consumer;
        if (consumer is not null)
        {
            try
            {
                await consumer.WaitAsync(_shutdownTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The pipeline's shutdown reports what it could not drain.
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Asks the estimator for a call's tokens from its captured bytes. The consumer calls it.</summary>
    private TokenUsage Estimate(EstimationJob job)
    {
        var call = job.Call;
        var context = new LlmUsageEstimationContext
        {
            Provider = call.Target.Provider,
            Operation = call.Target.Operation,
            Format = call.Format,
            Model = call.Model,
            RequestModel = call.RequestModel,
            RequestBody = job.Request?.Kept ?? default,
            RequestBodyLength = job.Request?.TotalBytes ?? 0,
            ResponseBody = job.Response?.Kept ?? default,
            ResponseBodyLength = job.Response?.TotalBytes ?? 0,
        };

        return _estimator!.Estimate(context) is { } usage
            ? (usage.Source == UsageSource.Estimated ? usage : usage with { Source = UsageSource.Estimated })
            : TokenUsage.None;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _consumer) is not null)
        {
            return;
        }

        lock (_startLock)
        {
            if (_consumer is null)
            {
                using (ExecutionContext.SuppressFlow())
                {
                    Volatile.Write(ref _consumer, Task.Run(ConsumeAsync, CancellationToken.None));
                }
            }
        }
    }

    private async Task ConsumeAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var job))
            {
                if (BeforeEstimate is { } hook)
                {
                    try
                    {
                        await hook().ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        _counters.InternalError();
                        Log.InternalError(_logger, ex);
                    }
                }

                Process(job);
                Interlocked.Increment(ref _done);
                Interlocked.Exchange(ref _progress, NewSignal()).TrySetResult();
            }
        }
    }

    private void Process(EstimationJob job)
    {
        TokenUsage usage;
        try
        {
            usage = Estimate(job);
        }
        catch (Exception ex)
        {
            _counters.InternalError();
            Log.InternalError(_logger, ex);
            usage = TokenUsage.None;
        }
        finally
        {
            job.Release();
        }

        try
        {
            job.Call.EstimatedUsage = usage;
            job.Call.Writer.Write(job.Call); // tags the call's span first, when it records data
        }
        catch (Exception ex)
        {
            _counters.InternalError();
            Log.InternalError(_logger, ex);
        }
        finally
        {
            StopSpan(job.Call);
        }
    }

    /// <summary>Stops the call's span, kept open (its end time set at the call's end) until the estimated record tagged it.</summary>
    private void StopSpan(CallObservation call)
    {
        if (call.Span is not { } span)
        {
            return;
        }

        try
        {
            LlmCostInstrumentation.StopActivity(span);
        }
        catch (Exception ex)
        {
            _counters.InternalError();
            Log.TelemetryFailed(_logger, ex);
        }
    }
}
