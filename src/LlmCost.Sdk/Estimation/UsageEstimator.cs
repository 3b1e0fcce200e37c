using System.Buffers;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace LlmCost.Sdk;

/// <summary>
/// Estimates the tokens of calls whose response reported no usage (an OpenAI-format stream without
/// <c>stream_options.include_usage</c>, a stream the app stopped reading, an older proxy) from the text captured as the
/// bytes passed through, and records them with <see cref="UsageSource.Estimated"/>, priced like any other record.
/// </summary>
/// <remarks>
/// <para>Never on the request path: a finished call hands a job to a bounded queue (<see cref="QueueCapacity"/> jobs)
/// read by one background consumer, started on first use on the thread pool under
/// <see cref="ExecutionContext.SuppressFlow"/> (so it never carries a caller's scope). When the queue is full the call is
/// recorded without usage, as it would be without estimation, and counted in <see cref="DroppedQueueFull"/>.</para>
/// <para>Input: each captured request value is tokenized on its own, plus the overhead OpenAI documents for chat
/// messages in the OpenAI Cookbook's "How to count tokens with tiktoken"
/// (https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken): 3 tokens per message, the role's token
/// (every role name is one token), and 3 tokens priming the reply (<c>&lt;|start|&gt;assistant&lt;|message|&gt;</c>).
/// Tool definitions and images are not counted, so input may be under-estimated for calls that use them.
/// Output: the streamed text, tokenized as one text. See <see cref="ModelEncodings"/> for the encoding per model and
/// <see cref="TextCapture"/> for the cap and the scaling beyond it.</para>
/// <para>Never throws into anything: a failure is counted in <see cref="LlmCostStatistics.InternalErrors"/> and the
/// call is recorded without usage.</para>
/// </remarks>
internal sealed class UsageEstimator : IAsyncDisposable, IDisposable
{
    /// <summary>The most calls that may wait for estimation.</summary>
    public const int QueueCapacity = 256;

    /// <summary>The per-message overhead of a chat message (OpenAI Cookbook, "How to count tokens with tiktoken").</summary>
    public const int TokensPerMessage = 3;

    /// <summary>The tokens of a message's role name (system, developer, user, assistant, tool: one token each).</summary>
    public const int TokensPerRole = 1;

    /// <summary>The tokens that prime the reply: <c>&lt;|start|&gt;assistant&lt;|message|&gt;</c>.</summary>
    public const int ReplyPrimingTokens = 3;

    private readonly Channel<EstimationJob> _queue;
    private readonly LlmCostCounters _counters;
    private readonly ILogger _logger;
    private readonly TimeSpan _shutdownTimeout;
    private readonly Lock _startLock = new();
    private Task? _consumer;
    private long _enqueued;
    private long _done;
    private long _droppedQueueFull;
    private TaskCompletionSource _progress = NewSignal();

    public UsageEstimator(IOptions<LlmCostOptions> options, LlmCostCounters counters, ILogger<UsageEstimator> logger)
    {
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

    /// <summary>Counts a call's tokens from its captured text. Public for tests; the consumer calls it.</summary>
    public static TokenUsage Estimate(EstimationJob job)
    {
        var tokenizer = ModelEncodings.Tokenizer(ModelEncodings.EncodingFor(job.Call.Model ?? job.Call.RequestModel));
        var input = 0L;
        if (job.Request is { } request)
        {
            input = CountRequest(request, tokenizer);
            if (job.Chat)
            {
                var messages = Math.Max(request.Messages, request.Values > 0 ? 1 : 0);
                input += (messages * (TokensPerMessage + TokensPerRole)) + ReplyPrimingTokens;
            }
        }

        var output = job.Response is { } response ? Scale(CountResponse(response, tokenizer), response) : 0;
        return new TokenUsage { InputTokens = input, OutputTokens = output, Source = UsageSource.Estimated };
    }

    /// <summary>
    /// Counts a stream's text. A raw capture holds the streamed events' JSON as it passed (copying it was all the app's
    /// read paid); its text strings are picked out here, off the request path.
    /// </summary>
    private static long CountResponse(TextCapture response, Tokenizer tokenizer)
    {
        if (!response.Raw)
        {
            return Count(response.Kept, tokenizer);
        }

        var text = new TextCapture(response.Fields, separateValues: false);
        var scanner = new JsonScanner(NoUsage.Instance, new UsageAccumulator(), text);
        try
        {
            scanner.Write(response.Kept);
            scanner.Complete();
            return text.KeptBytes == 0 ? 0 : Count(text.Kept, tokenizer);
        }
        finally
        {
            scanner.Release();
            text.Release();
        }
    }

    private static long CountRequest(TextCapture request, Tokenizer tokenizer)
    {
        var total = 0L;
        var rest = request.Kept;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(TextCapture.Separator);
            var value = end < 0 ? rest : rest[..end];
            total += Count(value, tokenizer);
            rest = end < 0 ? [] : rest[(end + 1)..];
        }

        return Scale(total, request);
    }

    /// <summary>Scales a count up for the text past the cap, assuming it tokenizes like the text kept.</summary>
    private static long Scale(long tokens, TextCapture capture)
    {
        if (capture.OverflowBytes == 0 || capture.KeptBytes == 0)
        {
            return tokens;
        }

        return (long)Math.Round(tokens * ((double)(capture.KeptBytes + capture.OverflowBytes) / capture.KeptBytes), MidpointRounding.AwayFromZero);
    }

    /// <summary>Decodes one raw JSON string's contents (in place) and counts its tokens.</summary>
    private static int Count(Span<byte> raw, Tokenizer tokenizer)
    {
        if (raw.IsEmpty)
        {
            return 0;
        }

        var utf8 = JsonText.Unescape(raw);
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(utf8.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, chars);
            return tokenizer.CountTokens(chars.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
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
            job.Call.Writer.Write(job.Call);
        }
        catch (Exception ex)
        {
            _counters.InternalError();
            Log.InternalError(_logger, ex);
        }
    }

    /// <summary>Reads no usage: the scanner is used only for the text it captures.</summary>
    private sealed class NoUsage : UsageMapping
    {
        public static readonly NoUsage Instance = new();

        public override int MaxDepth => 0;

        public override UsageField Match(in JsonPath path) => UsageField.None;
    }
}
