using System.Diagnostics;
using System.Globalization;

namespace LlmCost.Sdk;

/// <summary>
/// Everything known about one tracked call while it runs. Finished exactly once — at the end of the body, on
/// dispose, or on error — whichever comes first, and then queued as it is: the pump reads what is left of its bytes
/// (<see cref="CompleteOnPump"/>) and turns it into a <see cref="CostRecord"/>.
/// </summary>
/// <remarks>
/// <para>
/// The bytes the app sends and reads are not scanned on its path: they are copied (one <c>memcpy</c> per read) into a
/// per-call pooled buffer of <see cref="CopyBytes"/>, and only a full buffer is scanned there (the scanners are
/// incremental: what has accumulated is fed to them and the buffer starts over). When the call finishes, the rest is
/// scanned on the pump, which then prices the call, builds its record, settles its guardrails and emits its telemetry.
/// Memory per call stays constant whatever the body's size; the app's bytes are never held back or delayed.
/// </para>
/// <para>
/// Every method is safe to call from the app's call path: none throws. A read and a dispose racing on two threads are
/// ordered by <c>_state</c>, so the buffer is never written after the call is handed to the pump (which returns it).
/// </para>
/// </remarks>
internal sealed class CallObservation : PendingRecord
{
    /// <summary>
    /// The bounded copy's cap: 16 KiB holds nearly every request body and non-streaming response in one piece (so they are
    /// scanned only on the pump), is one of the shared pool's standard sizes, and keeps a stream's inline scans to one per
    /// ~16 KiB (tens of events) while bounding what each call in flight holds.
    /// </summary>
    public const int CopyBytes = 16 * 1024;

    /// <summary>The copy's first size: a 1 KiB request and a 1 KiB response fit; it doubles (up to <see cref="CopyBytes"/>) as needed.</summary>
    public const int FirstCopyBytes = 4 * 1024;

    private const int Open = 0;             // bytes may be copied in
    private const int Busy = 1;             // the app's thread is copying (or scanning a full buffer)
    private const int Finished = 2;         // handed to the pump (or about to be): no byte is taken any more
    private const int FinishWhenIdle = 3;   // a finish (not the end of the body) arrived while Busy: the copier hands it over
    private const int EndWhenIdle = 4;      // the same, for the end of the body

    private static readonly ulong ModelName = JsonPath.Hash("model"u8);

    private readonly HttpCallTracker _recorder;
    private UsageAccumulator? _usage;       // made at its first use (Usage): most calls make it on the pump
    private int _state;
    private byte[]? _copy;                  // the bounded copy of bytes not yet scanned (rented at the first byte)
    private int _copied;                    // bytes in _copy
    private int _requestCopied;             // of them, the request's (the rest are the response's)
    private bool _responseStarted;          // OnResponse ran: new bytes are the response's
    private bool _responseScanStarted;      // the response's readers exist (the request's bytes were all scanned)
    private bool _requestFailed;
    private bool _requestModelRead;         // the request body named its model: the rest of it is not scanned
    private bool _scanned;                  // the scan is finished (on the pump, or by a caller when the pump is behind)
    private bool _checked;                  // the pump counted and checked the scanned call (one the estimator returns is not again)
    private bool _estimating;               // handed to the estimator, which tags and ends its span
    private bool _malformed;                // kept at the end of the scan, when the readers are released
    private Framing _framing;
    private JsonScanner? _json;             // the request's scanner (its model), then, restarted, the response's
    private IUsageReader? _reader;
    private bool _observeFailed;
    private string? _pendingErrorType;      // a failure's error type, passed to the copying thread that hands the call over
    private readonly Activity? _span;
    private long _utcTicks;                 // the start time, UTC, worked out when first asked (Timestamp): 0 until then
    private FramingSniff _sniff;          // issue 12: a body not labelled as events may still be events
    private Extras? _extras;              // what few calls need (estimation's captures, a decoder), made at its first use

    /// <summary>Starts observing a call that began at <paramref name="startTimestamp"/> (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    /// <param name="recorder">The tracker.</param>
    /// <param name="target">The provider, operation and format.</param>
    /// <param name="tags">The call's attribution.</param>
    /// <param name="utcTicks">The wall-clock start (UTC ticks), or 0 to work it out later (<see cref="Timestamp"/>).</param>
    /// <param name="startTimestamp">The start, on the time provider's timestamp.</param>
    /// <param name="activity">The SDK's span, if anyone listens.</param>
    public CallObservation(HttpCallTracker recorder, in LlmCallTarget target, LlmCostTags tags, long utcTicks, long startTimestamp, Activity? activity = null)
    {
        _span = activity;
        _recorder = recorder;
        Target = target;
        Tags = tags;
        _utcTicks = utcTicks;
        StartTimestamp = startTimestamp;
    }

    public LlmCallTarget Target { get; }

    /// <inheritdoc />
    public override LlmCostWriter Writer => _recorder.Writer;

    /// <summary>Gets the SDK's own span of this call, or <see langword="null"/> when nobody listens; stopped when the call finishes.</summary>
    public override Activity? Span => _span;

    public LlmCostTags Tags { get; }

    /// <summary>
    /// Gets the call's start, UTC. On the system clock it is not read on the caller's path: it is worked out when first
    /// asked (on the pump) as now less the time elapsed since <see cref="StartTimestamp"/> — one clock read fewer per call
    /// (a <c>CLOCK_REALTIME</c> read costs ~90 ns on a virtual machine), the same instant to within the clocks' drift
    /// (a wall-clock step during the call moves it by that step). Another <see cref="TimeProvider"/> (a test's fixed or
    /// fake clock) is read at the start, as it says.
    /// </summary>
    public override DateTimeOffset Timestamp
    {
        get
        {
            var ticks = _utcTicks;
            if (ticks == 0)
            {
                var time = _recorder.Time;
                var elapsed = time.GetElapsedTime(StartTimestamp);
                ticks = (time.GetUtcNow() - (elapsed > TimeSpan.Zero ? elapsed : TimeSpan.Zero)).UtcTicks; // a clock that ran backwards: now
                _utcTicks = ticks;
            }

            return new(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Gets or sets the call's duration, set when it finishes.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>Gets or sets the usage the estimator counted, which replaces the (missing) reported usage.</summary>
    public TokenUsage? EstimatedUsage
    {
        get => _extras?.EstimatedUsage;
        set => Extra().EstimatedUsage = value;
    }

    // Estimation's captures and an encoded body's decoder: fields of the rarely made Extras (null reads as null, and
    // setting null never makes one), so the usual call's observation is four references smaller.
    private RawCapture? RequestBytes
    {
        get => _extras?.RequestBytes;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extra().RequestBytes = value;
            }
        }
    }

    private RawCapture? ResponseBytes
    {
        get => _extras?.ResponseBytes;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extra().ResponseBytes = value;
            }
        }
    }

    private DecodedBytes? Decoded
    {
        get => _extras?.Decoded;
        set
        {
            if (value is not null || _extras is not null)
            {
                Extra().Decoded = value;
            }
        }
    }

    private Extras Extra() => _extras ??= new Extras();

    public long StartTimestamp { get; }

    public bool Streaming { get; private set; }

    public int? StatusCode { get; private set; }

    /// <summary>Gets a value indicating whether the call finished because its body was read to the end (not disposed, failed or abandoned).</summary>
    public bool EndOfBody { get; private set; }

    public string? ErrorType { get; private set; }

    /// <summary>
    /// Gets the usage read so far. Made at its first use: on the pump for most calls (it is ~160 bytes the caller's path
    /// need not allocate), on the caller's path only when a full copy is scanned there or the provider reports usage in
    /// response headers (<see cref="UsageMapping.ReadsResponseHeaders"/>).
    /// </summary>
    public UsageAccumulator Usage => _usage ?? CreateUsage();

    public string? RequestModel => _usage is { } usage ? usage.RequestModel : Target.UrlModel;

    /// <summary>Gets a value indicating whether the response bytes could not be read as the provider's format.</summary>
    public bool Malformed => _scanned ? _malformed : (_reader?.Malformed ?? false) || (Decoded?.Decoder.Failed ?? false);

    /// <summary>Gets the model that served the call: the one the response named, or the URL's for providers whose responses never name it (Bedrock).</summary>
    public string? Model => _usage?.Model ?? (Target.UrlModelIsServed ? Target.UrlModel : null);

    /// <summary>Gets a value indicating whether the call's tokens can be estimated if it reports no usage: an estimator is registered and the format is one it reads.</summary>
    private bool Estimable => _recorder.EstimatesMissingUsage && Target.Operation != LlmOperations.Embeddings && Format != LlmApiFormat.Other;

    /// <summary>Gets the API format of the call's bodies, for estimation.</summary>
    public LlmApiFormat Format => Target.Mapping switch
    {
        OpenAIUsageMapping => LlmApiFormat.OpenAI,
        AnthropicUsageMapping => LlmApiFormat.Anthropic,
        _ => LlmApiFormat.Other,
    };

    /// <summary>
    /// Starts reading the request body for its <c>model</c>, as the body is sent; with usage estimation on, also copies
    /// its raw bytes (capped, see <see cref="RawCapture"/>), kept only if the response turns out to be a stream.
    /// </summary>
    public void ObserveRequestStart()
    {
        if (!Enter())
        {
            return;
        }

        // A request sent again starts over: what the first send left unscanned is forgotten.
        RequestBytes?.Reset();
        if (RequestBytes is null && Estimable)
        {
            RequestBytes = new RawCapture();
        }

        if (!_responseScanStarted)
        {
            _json?.Restart(RequestModelMapping.Instance);
        }

        _requestFailed = false;
        _requestModelRead = false;
        if (!_responseStarted)
        {
            _copied = 0;
        }

        Exit();
    }

    /// <summary>
    /// Copies the body of a request that already holds it as bytes (exactly <see cref="ByteArrayContent"/> or
    /// <see cref="StringContent"/>, whose bytes cannot change once made) now, before it is sent, so the request needs no
    /// wrapper: the app's content object goes to the transport untouched. Returns <see langword="false"/> for any other
    /// content, which is then wrapped and read as it is sent. A byte content whose bytes cannot be had (disposed by the
    /// app) is left unwrapped and unread: the send fails as it would without the SDK. Never throws.
    /// </summary>
    public bool TryObserveWholeRequest(HttpContent content)
    {
        var type = content.GetType();
        if (type != typeof(ByteArrayContent) && type != typeof(StringContent))
        {
            return false;
        }

        ObserveRequestStart();
        var sink = t_requestSink ??= new ObservingWriteStream(Stream.Null, null);
        sink.Call = this;
        try
        {
            content.CopyTo(sink, null, CancellationToken.None); // one synchronous write of the content's own array
            return true;
        }
        catch (Exception)
        {
            ObserveRequestStart(); // what was copied is forgotten: the request is not read
            return true;
        }
        finally
        {
            sink.Call = null;
        }
    }

    [ThreadStatic]
    private static ObservingWriteStream? t_requestSink; // shows a byte content's one synchronous write to the call

    /// <summary>Copies request bytes as they are sent (scanned later for the request's <c>model</c>). Never throws.</summary>
    public void ObserveRequest(ReadOnlySpan<byte> bytes)
    {
        if (_responseStarted || !Enter())
        {
            return; // bytes sent after the response began (a duplex body) are not the request the model is read from
        }

        Copy(bytes);
        Exit();
    }

    /// <summary>Prepares to read the response: SSE when the content type says so, one JSON document otherwise.</summary>
    public void OnResponse(HttpResponseMessage response)
    {
        StatusCode = (int)response.StatusCode;
        if (StatusCode >= 400)
        {
            ErrorType = StatusCode.Value.ToString(CultureInfo.InvariantCulture);
        }

        _usage?.BeginResponse(); // one made later starts in this state
        if (Target.Mapping.ReadsResponseHeaders)
        {
            Target.Mapping.OnResponse(response, Usage);
        }

        var contentType = ContentType(response.Content.Headers);
        var sse = contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        var eventStream = !sse && contentType.StartsWith("application/vnd.amazon.eventstream", StringComparison.OrdinalIgnoreCase);
        if (sse)
        {
            StartResponseCapture();
        }
        else if (eventStream)
        {
            StopCapture();
        }

        // Otherwise the first bytes decide (FramingSniff): JSON stops the capture, events start it.

        if (ContentDecoder.For(response.Content.Headers) is { } decoder) // issue 12: usage read through Content-Encoding, on a decoded copy
        {
            Decoded = new DecodedBytes(this, decoder);
        }

        if (sse)
        {
            Streaming = true;
            _framing = Framing.Sse;
        }
        else if (eventStream)
        {
            Streaming = true;
            _framing = Framing.EventStream;
        }
        else
        {
            // One JSON document, or a JSON array of streamed chunks (Gemini's streamGenerateContent without alt=sse) —
            // unless the first bytes are server-sent events under another label (a proxy that relabels streams).
            Streaming = Target.StreamingUrl;
            _framing = Framing.Json;
            _sniff = FramingSniff.Start;
        }

        // A stream's usage is whole only once its final report is read (UsageAccumulator.Final); one made later is told
        // in CreateUsage.
        if (_usage is { } usage)
        {
            usage.RequiresFinalMarker = Streaming;
        }

        // The readers are made when the response's first bytes are scanned (on the pump, or when the copy fills), after
        // the request's: its body has been sent by the time the response arrives, and its scanner then reads the response.
        _requestCopied = _copied;
        _responseStarted = true;
    }

    /// <summary>Makes the usage at its first use: with the URL's model, and, once the response has begun, its stream rule.</summary>
    private UsageAccumulator CreateUsage()
    {
        var usage = _recorder.RentUsage();
        if (Target.UrlModel is { } urlModel)
        {
            usage.SetRequestModel(urlModel);
        }

        if (_responseStarted)
        {
            usage.RequiresFinalMarker = Streaming;
        }

        _usage = usage;
        return usage;
    }

    /// <summary>Makes the response's readers: the request's scanner, restarted with the provider's mapping, under the framing.</summary>
    private void StartResponseScan()
    {
        _responseScanStarted = true;
        _json = _json?.Restart(Target.Mapping) ?? _recorder.RentScanner(Target.Mapping, Usage);
        _reader = _framing switch
        {
            Framing.Sse => new SseUsageReader(_json),
            Framing.EventStream => new AwsEventStreamReader(_json),
            _ => _json,
        };
    }

    /// <summary>
    /// Keeps a stream's raw (decoded) bytes, in case its tokens must be estimated (it may end without usage); the estimator
    /// picks the text out later, off the request path. A stream that reports usage from its first event needs none.
    /// </summary>
    private void StartResponseCapture()
    {
        if (Estimable && _usage?.HasUsage != true)
        {
            ResponseBytes ??= new RawCapture();
        }
        else
        {
            StopCapture();
        }
    }

    /// <summary>Copies response bytes the app has just received (they are scanned later). Never throws.</summary>
    public void Observe(ReadOnlySpan<byte> bytes)
    {
        if (_observeFailed || !Enter())
        {
            return;
        }

        Copy(bytes);
        Exit();
    }

    /// <summary>Takes the call for the app's thread while it copies; <see langword="false"/> once the call is finished.</summary>
    private bool Enter() => Interlocked.CompareExchange(ref _state, Busy, Open) == Open;

    /// <summary>Gives the call back; a finish that arrived meanwhile (a dispose on another thread) is handed over now.</summary>
    private void Exit()
    {
        var state = Interlocked.CompareExchange(ref _state, Open, Busy);
        if (state != Busy)
        {
            Volatile.Write(ref _state, Finished);
            if (Volatile.Read(ref _pendingErrorType) is { } failed)
            {
                ErrorType ??= failed; // a failure that finished the call while this thread copied
            }

            HandOver(endOfBody: state == EndWhenIdle);
        }
    }

    /// <summary>Appends to the bounded copy; a full copy is scanned here first (the only scan on the app's path).</summary>
    private void Copy(ReadOnlySpan<byte> bytes)
    {
        try
        {
            while (!bytes.IsEmpty)
            {
                var copy = _copy ??= _recorder.BufferPool.Rent(FirstCopyBytes);
                var room = copy.Length - _copied;
                if (room == 0)
                {
                    if (copy.Length < CopyBytes)
                    {
                        Grow(copy);
                    }
                    else
                    {
                        Scan();
                    }

                    continue;
                }

                var take = Math.Min(room, bytes.Length);
                bytes[..take].CopyTo(copy.AsSpan(_copied));
                _copied += take;
                bytes = bytes[take..];
            }
        }
        catch (Exception ex)
        {
            _observeFailed = true;
            _recorder.OnInternalError(ex);
        }
    }

    /// <summary>Moves the copy to a buffer twice its size (at most <see cref="CopyBytes"/>) and returns the old one.</summary>
    private void Grow(byte[] copy)
    {
        var grown = _recorder.BufferPool.Rent(Math.Min(copy.Length * 2, CopyBytes));
        copy.AsSpan(0, _copied).CopyTo(grown);
        _copy = grown;
        _recorder.BufferPool.Return(copy);
    }

    /// <summary>
    /// Scans what the copy holds, in the order it arrived: the request's bytes (its <c>model</c>, its capture), then the
    /// response's (framing, usage, capture; decoded first when the body has a Content-Encoding). Empties the copy.
    /// </summary>
    private void Scan()
    {
        var data = _copy.AsSpan(0, _copied);
        _copied = 0;
        if (!_responseScanStarted)
        {
            var request = _responseStarted ? data[.._requestCopied] : data;
            _requestCopied = 0;
            if (!request.IsEmpty && !_requestFailed)
            {
                try
                {
                    if (!_requestModelRead)
                    {
                        // The request is read for its top-level model only: once it is known, the rest (the messages,
                        // often most of the body) is not scanned.
                        var usage = Usage;
                        var before = usage.RequestModel;
                        (_json ??= _recorder.RentScanner(RequestModelMapping.Instance, usage)).Write(request);
                        _requestModelRead = !ReferenceEquals(before, usage.RequestModel);
                    }

                    RequestBytes?.Append(request);
                }
                catch (Exception ex)
                {
                    _requestFailed = true;
                    _recorder.OnInternalError(ex);
                }
            }

            if (!_responseStarted)
            {
                return;
            }

            StartResponseScan();
            data = data[request.Length..];
        }

        if (data.IsEmpty || _observeFailed)
        {
            return;
        }

        try
        {
            if (Decoded is not null)
            {
                Decoded.Decoder.Write(data, Decoded); // the decoded copy comes back through Read
            }
            else
            {
                Read(data);
            }
        }
        catch (Exception ex)
        {
            _observeFailed = true;
            _recorder.OnInternalError(ex);
        }
    }

    /// <summary>Reads the body's bytes as the provider meant them (decoded when it has a Content-Encoding): framing, usage, capture.</summary>
    private void Read(ReadOnlySpan<byte> bytes)
    {
        if (_sniff.Undecided)
        {
            bytes = Sniff(bytes);
            if (bytes.IsEmpty)
            {
                return;
            }
        }

        _reader?.Write(bytes);
        if (ResponseBytes is not null)
        {
            if (Usage.HasUsage)
            {
                // The provider reports usage itself (Anthropic's message_start, an include_usage chunk): stop copying.
                StopCapture();
            }
            else
            {
                ResponseBytes.Append(bytes); // decoded: the estimator reads text, never gzip
            }
        }
    }

    /// <summary>
    /// Looks at the first bytes of a body not labelled <c>text/event-stream</c>: server-sent events (<c>data:</c>,
    /// <c>event:</c>, <c>id:</c>, <c>retry:</c>, a <c>:</c> comment) are read as events; anything else as one JSON document,
    /// as the label said. Returns the bytes the chosen reader is to read now (a field name matched across reads is
    /// replayed first, from the literal it matched), or nothing while the first bytes are still undecided.
    /// </summary>
    private ReadOnlySpan<byte> Sniff(ReadOnlySpan<byte> bytes)
    {
        var verdict = _sniff.Feed(bytes, out var rest);
        if (verdict == FramingSniff.Verdict.Undecided)
        {
            return default;
        }

        var replay = _sniff.Matched;
        if (verdict == FramingSniff.Verdict.Events)
        {
            Streaming = true;
            Usage.RequiresFinalMarker = true;
            _reader = new SseUsageReader(_json!);
            StartResponseCapture();
        }
        else
        {
            // One JSON document always carries its usage: the request's text is not needed.
            StopCapture();
        }

        if (!replay.IsEmpty)
        {
            _reader!.Write(replay);
            ResponseBytes?.Append(replay);
        }

        return rest.IsEmpty ? default : rest;
    }

    /// <summary>
    /// Hands the bytes captured from a streamed call over to the estimator: the caller then owns (and releases) them.
    /// Returns <see langword="false"/> when nothing was captured (not a stream, estimation off, or usage was reported).
    /// </summary>
    public bool TryTakeCaptures(out RawCapture? request, out RawCapture? response)
    {
        request = RequestBytes;
        response = ResponseBytes;
        if (response is null)
        {
            request = null;
            return false;
        }

        RequestBytes = null;
        ResponseBytes = null;
        return true;
    }

    private void StopCapture()
    {
        RequestBytes?.Release();
        ResponseBytes?.Release();
        RequestBytes = null;
        ResponseBytes = null;
    }

    /// <summary>The call failed before or while the response was read.</summary>
    public void Fail(Exception exception) =>
        Finish(endOfBody: false, exception is LlmGuardrailException refused ? refused.ErrorType : exception.GetType().FullName);

    /// <summary>Gets a value indicating whether the call ends without a record (<see cref="Discard"/>).</summary>
    public bool Discarded { get; private set; }

    /// <summary>Ends a call that leaves no record: a re-send of a call already recorded as refused, refused again.</summary>
    public void Discard(Exception exception)
    {
        Discarded = true;
        Fail(exception);
    }

    /// <summary>The body was read to the end, or the response was disposed (read or not). The first finish counts.</summary>
    /// <param name="endOfBody">Whether the body was read to its end.</param>
    /// <param name="errorType">The failure's error type, kept only when this finish is the one that counts (a failure
    /// racing a finish on another thread never changes a call already handed to the pump).</param>
    public void Finish(bool endOfBody, string? errorType = null)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == Open)
            {
                if (Interlocked.CompareExchange(ref _state, Finished, Open) == Open)
                {
                    if (errorType is not null)
                    {
                        ErrorType ??= errorType; // before the hand-over, on this thread
                    }

                    HandOver(endOfBody);
                    return;
                }
            }
            else if (state == Busy)
            {
                // The app's thread is copying a read (a dispose from another thread): it hands the call over when done,
                // and takes the failure's error type with it (published by the exchange below, read after it sees it).
                if (errorType is not null)
                {
                    Interlocked.CompareExchange(ref _pendingErrorType, errorType, null);
                }

                if (Interlocked.CompareExchange(ref _state, endOfBody ? EndWhenIdle : FinishWhenIdle, Busy) == Busy)
                {
                    return;
                }
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Hands the finished call to the tracker, which queues it for the pump. Runs once, on the caller's path.</summary>
    private void HandOver(bool endOfBody)
    {
        // Finished on the app's path: nothing is left for the finalizer (one header bit, no queue walk at GC).
#pragma warning disable CA1816 // not IDisposable: the finalizer only catches responses the app dropped, and a finished call needs none
        GC.SuppressFinalize(this);
#pragma warning restore CA1816

        try
        {
            EndOfBody = endOfBody;
            if (_recorder.Writer.Backlogged)
            {
                // The pump is behind: scan here and give the copy back before queueing, so queued calls hold no buffer.
                FinishScan();
                ReleaseCopy();
            }

            _recorder.Complete(this);
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
            Release();
        }
    }

    /// <inheritdoc />
    public override bool EndsSpanOnPump => !_estimating;

    /// <inheritdoc />
    public override bool CountedWhenBuilt => true;

    /// <summary>Gets or sets a value indicating whether the call was handed to the estimator, which then tags and ends its span.</summary>
    public bool Estimating
    {
        get => _estimating;
        set => _estimating = value;
    }

    /// <summary>
    /// On the pump: scans what is left of the call's bytes, counts a malformed or partial response, hands a stream without
    /// usage to the estimator, or builds, prices and settles the record, tags and ends the span, and returns the buffers.
    /// Never throws.
    /// </summary>
    public override CostRecord? CompleteOnPump()
    {
        CostRecord? record = null;
        try
        {
            if (!_checked)
            {
                _checked = true;
                if (!_scanned)
                {
                    FinishScan();
                }

                var estimating = _recorder.OnScanned(this);
                Release();
                if (estimating)
                {
                    return null; // the estimator writes the record (through the writer, back to the pump) and ends the span
                }
            }

            record = Writer.Complete(this);
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
        }
        finally
        {
            Release();
        }

        // The record holds what the usage said: the next call reads into it (the tracker's spare, see RentUsage).
        var usage = _usage;
        _usage = null;
        _recorder.Return(null, usage);

        EndSpan(record);
        return record;
    }

    /// <summary>The pump dropped the call (its queue is full, or it has shut down): its span ends and its buffers are returned.</summary>
    public override void OnDropped()
    {
        _scanned = true;
        _checked = true;
        Release();
        EndSpan(null);
    }

    /// <summary>Ends the span of a call that leaves no record (<see cref="Discard"/>), on the caller's path.</summary>
    public void EndDiscarded()
    {
        _scanned = true;
        _checked = true;
        Release();
        EndSpan(null);
    }

    /// <summary>Scans the rest of the copy and ends the readers (a body read to its end is complete). Never throws.</summary>
    private void FinishScan()
    {
        try
        {
            if (_copied > 0 || (_responseStarted && !_responseScanStarted))
            {
                Scan();
            }

            if (EndOfBody && !_observeFailed && _responseScanStarted)
            {
                if (_sniff.Undecided)
                {
                    Read(_sniff.End()); // a body too short to tell: what was held back goes to the JSON reader
                }

                _reader?.Complete();
            }
        }
        catch (Exception ex)
        {
            _observeFailed = true;
            _recorder.OnInternalError(ex);
        }

        try
        {
            _malformed = (_reader?.Malformed ?? false) || (Decoded?.Decoder.Failed ?? false);
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
        }

        _scanned = true;
    }

    /// <summary>Tags the span with the record (when it records data), ends it at the call's end and stops it, on the pump.</summary>
    private void EndSpan(CostRecord? record)
    {
        if (_span is not { } span || _estimating)
        {
            return;
        }

        try
        {
            if (span.IsAllDataRequested)
            {
                if (record is not null)
                {
                    LlmCostInstrumentation.TagSpan(span, record);
                }
                else
                {
                    LlmCostInstrumentation.TagUnrecorded(span, Target, ErrorType);
                }
            }

            LlmCostInstrumentation.SetEnd(span, Duration);
            LlmCostInstrumentation.StopActivity(span);
        }
        catch (Exception ex)
        {
            _recorder.OnTelemetryError(ex);
        }
    }

    /// <summary>Returns the copy to its pool, exactly once.</summary>
    private void ReleaseCopy()
    {
        if (Interlocked.Exchange(ref _copy, null) is { } copy)
        {
            _copied = 0;
            _recorder.BufferPool.Return(copy);
        }
    }

    /// <summary>Returns the copy to its pool (exactly once), the scanners' buffers and the decoder; drops what was captured.</summary>
    private void Release()
    {
        ReleaseCopy();

        var json = _json;
        var decoded = Decoded;
        _json = null;
        Decoded = null;
        _reader = null; // it reads through the scanner, which the next call may now use
        json?.Release();
        _recorder.Return(json, null); // released: the spare scanner of the next call (RentScanner)
        decoded?.Decoder.Dispose();
        StopCapture();
    }

    /// <summary>
    /// Records a call whose response the app dropped without reading it to the end or disposing it
    /// (<c>HttpCompletionOption.ResponseHeadersRead</c>, then nothing): the provider billed it, so it gets a record with
    /// <c>errorType: "abandoned"</c> (an HTTP error status is kept instead) and whatever usage was seen, counted in
    /// <see cref="LlmCostStatistics.AbandonedResponses"/>. It runs when the garbage collector finds the response
    /// unreachable, which is the only moment the SDK can know that nobody will read it.
    /// </summary>
    ~CallObservation()
    {
        if (Volatile.Read(ref _state) >= Finished)
        {
            return;
        }

        try
        {
            ErrorType ??= AbandonedErrorType;
            _recorder.OnAbandoned(this);
            Finish(endOfBody: false);
        }
        catch
        {
            // A finalizer must never throw: that would end the process. Nothing here is expected to.
        }
    }

    /// <summary>The record's <c>errorType</c> of a response the app dropped unread.</summary>
    public const string AbandonedErrorType = "abandoned";

    /// <summary>
    /// Called once when the call finishes: a response that reported part of its usage but stopped before the provider's
    /// final report (a stream cut between events, disposed early or failed; a JSON document disposed half-read) has usage
    /// that is not the call's: it is marked unreliable (<c>usage.source: "none"</c>, <c>cost: null</c>) and
    /// <see langword="true"/> is returned so the caller counts it.
    /// </summary>
    public bool MarkPartialUsage()
    {
        if (_usage is not { } usage || !usage.HasUsage || usage.Final || usage.Unreliable)
        {
            return false;
        }

        usage.MarkUnreliable();
        return true;
    }

    /// <inheritdoc />
    public override CostRecord ToRecord(Guid id)
    {
        var target = Target;
        var usage = Usage;
        return new CostRecord
        {
            Id = id,
            Timestamp = Timestamp,
            Provider = target.Provider,
            Operation = target.Operation,
            Model = Model,
            RequestModel = RequestModel,
            ServiceTier = usage.ServiceTier,
            Region = target.Region,
            Streaming = Streaming,
            StatusCode = StatusCode,
            ErrorType = ErrorType,
            DurationMs = Math.Max(0, Duration.TotalMilliseconds), // a clock that ran backwards never gives a negative duration
            Tags = Tags,
            Usage = EstimatedUsage ?? usage.ToUsage(),
            Cost = usage.ReportedCost is { } reported ? new CostBreakdown { Currency = "USD", Total = reported, ReportedByProvider = true } : null,
        };
    }

    /// <summary>Reads the raw Content-Type without parsing it into a <see cref="System.Net.Http.Headers.MediaTypeHeaderValue"/>.</summary>
    private static ReadOnlySpan<char> ContentType(System.Net.Http.Headers.HttpContentHeaders headers) =>
        headers.NonValidated.TryGetValues("Content-Type", out var values) && values.Count > 0
            ? values.ToString().AsSpan().TrimStart()
            : default;

    /// <summary>
    /// Holds an encoded body's <see cref="ContentDecoder"/> and hands its output back to the call, so it is sniffed, read
    /// and captured decoded (one field on the call, allocated only for encoded bodies).
    /// </summary>
    /// <summary>How the response's bytes are framed, known from its headers (a JSON body may still turn out to be events).</summary>
    private enum Framing : byte
    {
        Json,
        Sse,
        EventStream,
    }

    /// <summary>What few calls need, kept out of the observation every call allocates.</summary>
    private sealed class Extras
    {
        public RawCapture? RequestBytes;
        public RawCapture? ResponseBytes;
        public DecodedBytes? Decoded;
        public TokenUsage? EstimatedUsage;
    }

    private sealed class DecodedBytes(CallObservation call, ContentDecoder decoder) : IUsageReader
    {
        public ContentDecoder Decoder { get; } = decoder;

        public bool Malformed => false;

        public void Write(ReadOnlySpan<byte> data) => call.Read(data);

        public void Complete()
        {
        }
    }

    /// <summary>Reads the top-level <c>model</c> of a request body.</summary>
    private sealed class RequestModelMapping : UsageMapping
    {
        public static readonly RequestModelMapping Instance = new();

        public override int MaxDepth => 1;

        public override UsageField Match(in JsonPath path) => path.Is(ModelName) ? UsageField.RequestModel : UsageField.None;
    }
}
