using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Tests.Pipeline;

public class LlmCostPipelineTests
{
    private static LlmCostPipeline Create(
        IEnumerable<ICostSink> sinks,
        Action<LlmCostOptions>? configure = null,
        TimeProvider? time = null,
        LlmCostCounters? counters = null,
        FakeLogger<LlmCostPipeline>? logger = null)
    {
        var options = new LlmCostOptions { Pipeline = { BatchDelay = TimeSpan.FromMilliseconds(20) }, Sinks = { RetryDelay = TimeSpan.FromMilliseconds(5) } };
        configure?.Invoke(options);
        return new LlmCostPipeline(sinks, Options.Create(options), counters ?? new LlmCostCounters(), time ?? TimeProvider.System, logger ?? new FakeLogger<LlmCostPipeline>());
    }

    [Fact]
    public async Task FlushAsync_RecordsQueued_AreWrittenToEverySinkInOrder()
    {
        var first = new CallbackSink();
        var second = new CallbackSink();
        await using var pipeline = Create([first, second]);
        var records = Enumerable.Range(0, 100).Select(TestRecords.Create).ToList();

        foreach (var record in records)
        {
            Assert.True(pipeline.TryWrite(record));
        }

        await pipeline.FlushAsync(CancellationToken.None);

        Assert.Equal(records, first.Records);
        Assert.Equal(records, second.Records);
    }

    [Fact]
    public async Task SystemClock_ARecordWithinABatchDelayOfTheLast_DoesNotWakeThePump()
    {
        // The pump stays warm (looking at the queue every 10 ms) for a batch delay after its last record, so the usual
        // traffic never pays for waking a sleeping thread on the caller's path.
        var sink = new CallbackSink();
        await using var pipeline = Create([sink], o => o.Pipeline.BatchDelay = TimeSpan.FromMinutes(1));
        pipeline.TryWrite(TestRecords.Create(0));
        await pipeline.FlushAsync(CancellationToken.None);
        var wakes = pipeline.WriterWakes;

        for (var i = 1; i <= 20; i++)
        {
            Assert.True(pipeline.TryWrite(TestRecords.Create(i)));
        }

        Assert.Equal(wakes, pipeline.WriterWakes);
        Assert.False(pipeline.Idle);
        await pipeline.FlushAsync(CancellationToken.None);
        Assert.Equal(21, sink.Records.Count);
    }

    [Fact]
    public async Task SystemClock_ARecordAfterTheBatchDelay_WakesTheSleepingPump()
    {
        var sink = new CallbackSink();
        await using var pipeline = Create([sink], o => o.Pipeline.BatchDelay = TimeSpan.FromMilliseconds(30));
        pipeline.TryWrite(TestRecords.Create(0));
        await pipeline.FlushAsync(CancellationToken.None);
        await TestRecords.Eventually(() => pipeline.Idle); // warm for 30 ms after its last record, then asleep
        var wakes = pipeline.WriterWakes;

        pipeline.TryWrite(TestRecords.Create(1));

        Assert.Equal(wakes + 1, pipeline.WriterWakes);
        await TestRecords.Eventually(() => sink.Records.Count == 2); // written after the batch delay, with no flush
    }

    [Fact]
    public async Task TryWrite_MoreThanABatch_SplitsIntoBatchesOfAtMostMaxBatchSize()
    {
        var sink = new CallbackSink();
        await using var pipeline = Create([sink], o => o.Pipeline.MaxBatchSize = 3);

        for (var i = 0; i < 10; i++)
        {
            pipeline.TryWrite(TestRecords.Create(i));
        }

        await pipeline.FlushAsync(CancellationToken.None);

        Assert.Equal(10, sink.Records.Count);
        Assert.All(sink.BatchSizes, size => Assert.InRange(size, 1, 3));
    }

    [Fact]
    public async Task TryWrite_FewRecords_AreWrittenWhenTheBatchDelayPasses()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sink = new CallbackSink();
        await using var pipeline = Create([sink], o => o.Pipeline.BatchDelay = TimeSpan.FromSeconds(5), time);

        pipeline.TryWrite(TestRecords.Create());
        await Task.Delay(200);
        Assert.Empty(sink.Records); // the pump waits for the batch to fill or the delay to pass

        // The pump arms its timer on its own thread, possibly after a first Advance: keep passing the delay until it fires.
        await TestRecords.Eventually(() =>
        {
            time.Advance(TimeSpan.FromSeconds(5));
            return sink.Records.Count == 1;
        });
    }

    [Fact]
    public async Task Sink_FailsThenSucceeds_IsRetriedAndNothingIsLost()
    {
        var failures = 2;
        var sink = new CallbackSink { OnWrite = (_, _) => failures-- > 0 ? throw new IOException("disk busy") : Task.CompletedTask };
        var counters = new LlmCostCounters();
        await using var pipeline = Create([sink], counters: counters);

        pipeline.TryWrite(TestRecords.Create());
        await pipeline.FlushAsync(CancellationToken.None);

        Assert.Single(sink.Records);
        Assert.Equal(3, sink.Calls);
        var stats = counters.Snapshot();
        Assert.Equal(2, stats.SinkFailures);
        Assert.Equal(1, stats.SinkWrites);
        Assert.Equal(1, stats.RecordsWritten);
        Assert.Equal(0, stats.DroppedBySinks);
    }

    [Fact]
    public async Task Sink_AlwaysFails_IsRetriedThenDroppedCountedAndLoggedWhileOtherSinksGetTheRecords()
    {
        var dead = new CallbackSink { OnWrite = (_, _) => throw new IOException("database down") };
        var healthy = new CallbackSink();
        var counters = new LlmCostCounters();
        var logger = new FakeLogger<LlmCostPipeline>();
        await using var pipeline = Create([dead, healthy], o => o.Sinks.MaxRetries = 2, counters: counters, logger: logger);

        pipeline.TryWrite(TestRecords.Create(1));
        pipeline.TryWrite(TestRecords.Create(2));
        await pipeline.FlushAsync(CancellationToken.None);

        Assert.Equal(2, healthy.Records.Count);
        var stats = counters.Snapshot();
        Assert.Equal(2, stats.DroppedBySinks);
        Assert.Equal(2, stats.SinkWrites); // the healthy sink took both
        Assert.Equal(0, stats.RecordsWritten); // no record reached every sink
        Assert.True(stats.SinkFailures >= 3);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Error && r.Id.Id == 3 && r.Message.Contains("CallbackSink", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sink_Hangs_DoesNotBlockOtherSinksOrTheWriter()
    {
        var gate = new TaskCompletionSource();
        var stuck = new CallbackSink { OnWrite = (_, ct) => gate.Task.WaitAsync(ct) };
        var healthy = new CallbackSink();
        await using var pipeline = Create([stuck, healthy], o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));

        for (var i = 0; i < 50; i++)
        {
            Assert.True(pipeline.TryWrite(TestRecords.Create(i)));
        }

        await TestRecords.Eventually(() => healthy.Records.Count == 50);
        gate.SetResult();
    }

    [Fact]
    public async Task TryWrite_QueueFull_ReturnsFalseCountsAndLogsTheDrop()
    {
        var counters = new LlmCostCounters();
        var logger = new FakeLogger<LlmCostPipeline>();
        var pipeline = Create([new CallbackSink()], counters: counters, logger: logger);
        await pipeline.ShutdownAsync(); // a shut-down queue accepts nothing, like a full one

        var accepted = pipeline.TryWrite(TestRecords.Create());

        Assert.False(accepted);
        Assert.Equal(1, counters.Snapshot().DroppedQueueFull);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 1);
    }

    [Fact]
    public async Task TryWrite_ManyWritersOnATinyQueue_NeverBlocksAndCountsEveryRecord()
    {
        var counters = new LlmCostCounters();
        var gate = new TaskCompletionSource();
        var sink = new CallbackSink { OnWrite = (_, ct) => gate.Task.WaitAsync(ct) };
        await using var pipeline = Create([sink], o => { o.Pipeline.QueueCapacity = 4; o.Pipeline.MaxBatchSize = 1; o.Sinks.QueueCapacity = 1; o.ShutdownTimeout = TimeSpan.FromSeconds(1); }, counters: counters);

        var accepted = 0;
        for (var i = 0; i < 10_000; i++)
        {
            if (pipeline.TryWrite(TestRecords.Create(i)))
            {
                accepted++;
            }
        }

        var stats = counters.Snapshot();
        Assert.Equal(10_000, stats.Queued + stats.DroppedQueueFull);
        Assert.Equal(accepted, stats.Queued);
        Assert.True(stats.DroppedQueueFull > 0);
        gate.SetResult();
    }

    [Fact]
    public async Task DisposeAsync_PendingRecords_AreFlushedToTheSinks()
    {
        var sink = new CallbackSink();
        var pipeline = Create([sink], o => o.Pipeline.BatchDelay = TimeSpan.FromHours(1));
        for (var i = 0; i < 1000; i++)
        {
            pipeline.TryWrite(TestRecords.Create(i));
        }

        await pipeline.DisposeAsync();

        Assert.Equal(1000, sink.Records.Count);
    }

    [Fact]
    public void Dispose_PendingRecords_AreFlushedToTheSinks()
    {
        var sink = new CallbackSink();
        var pipeline = Create([sink], o => o.Pipeline.BatchDelay = TimeSpan.FromHours(1));
        pipeline.TryWrite(TestRecords.Create());

        pipeline.Dispose();

        Assert.Single(sink.Records);
    }

    [Fact]
    public async Task DisposeAsync_SinkNeverCompletes_GivesUpAfterTheShutdownTimeoutAndCancelsTheSink()
    {
        var cancelled = false;
        var sink = new CallbackSink
        {
            OnWrite = async (_, ct) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                    throw;
                }
            },
        };
        var counters = new LlmCostCounters();
        var pipeline = Create([sink], o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300), counters: counters);
        pipeline.TryWrite(TestRecords.Create());

        await pipeline.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        await TestRecords.Eventually(() => cancelled && counters.Snapshot().DroppedBySinks == 1);
    }

    [Fact]
    public async Task Pump_DoesNotInheritTheCallersScopeOrRunOnItsThread()
    {
        LlmCostScope? seenScope = null;
        string? seenThread = null;
        var seenBackground = false;
        var callerThread = Environment.CurrentManagedThreadId;
        var seenThreadId = callerThread;
        var sink = new CallbackSink
        {
            OnWrite = (_, _) =>
            {
                seenScope = LlmCostScope.Current;
                seenThread = Thread.CurrentThread.Name;
                seenBackground = Thread.CurrentThread.IsBackground;
                seenThreadId = Environment.CurrentManagedThreadId;
                return Task.CompletedTask;
            },
        };

        LlmCostPipeline pipeline;
        using (LlmCostScope.Begin(feature: "caller"))
        {
            pipeline = Create([sink]);
            pipeline.TryWrite(TestRecords.Create());
            await pipeline.FlushAsync(CancellationToken.None);
        }

        Assert.Null(seenScope);
        // Each sink runs on the SDK's own background thread (not the caller's, not the thread pool's), so a starved pool cannot stop it.
        Assert.NotEqual(callerThread, seenThreadId);
        Assert.True(seenBackground);
        Assert.Equal("LlmCost sink CallbackSink", seenThread);
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task FlushAsync_NoSinks_Completes()
    {
        await using var pipeline = Create([]);
        pipeline.TryWrite(TestRecords.Create());

        await pipeline.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DisposeAsync_MoreThanABatchLeftWithALongBatchDelay_DrainsWithoutWaitingForTheDelay()
    {
        var sink = new CallbackSink();
        var pipeline = Create([sink], o => { o.Pipeline.BatchDelay = TimeSpan.FromHours(1); o.Pipeline.MaxBatchSize = 10; o.ShutdownTimeout = TimeSpan.FromMinutes(5); });
        for (var i = 0; i < 95; i++)
        {
            pipeline.TryWrite(TestRecords.Create(i));
        }

        await pipeline.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(95, sink.Records.Count);
    }

    [Fact]
    public async Task Pump_BurstLargerThanTheSinkQueue_WaitsForAHealthySinkInsteadOfDropping()
    {
        var counters = new LlmCostCounters();
        var sink = new CallbackSink { OnWrite = async (_, _) => await Task.Yield() };
        await using var pipeline = Create([sink], o => { o.Pipeline.MaxBatchSize = 10; o.Sinks.QueueCapacity = 1; o.Pipeline.QueueCapacity = 100_000; }, counters: counters);

        for (var i = 0; i < 20_000; i++)
        {
            Assert.True(pipeline.TryWrite(TestRecords.Create(i)));
        }

        await pipeline.FlushAsync(CancellationToken.None);

        Assert.Equal(20_000, sink.Records.Count);
        Assert.Equal(0, counters.Snapshot().DroppedBySinks);
    }
}
