using System.Diagnostics;
using System.Globalization;

namespace LlmCost.Sdk;

/// <summary>
/// Everything known about one tracked call while it runs. Finished exactly once — at the end of the body, on
/// dispose, or on error — whichever comes first, and then queued as it is: the pump turns it into a <see cref="CostRecord"/>.
/// </summary>
/// <remarks>Every method is safe to call from the app's call path: none throws.</remarks>
internal sealed class CallObservation : PendingRecord
{
    private static readonly ulong ModelName = JsonPath.Hash("model"u8);

    private readonly HttpCallTracker _recorder;
    private readonly UsageAccumulator _usage;
    private JsonScanner? _json;
    private IUsageReader? _reader;
    private JsonScanner? _requestJson;
    private RawCapture? _requestBytes;
    private RawCapture? _responseBytes;
    private int _finished;
    private bool _observeFailed;
    private readonly Activity? _span;
    private readonly long _utcTicks; // the start time, UTC: 8 bytes where a DateTimeOffset takes 16
    private FramingSniff _sniff;          // issue 12: a body not labelled as events may still be events
    private DecodedBytes? _decoded;       // an encoded body's decoder, whose output goes through the sniff and the capture

    public CallObservation(HttpCallTracker recorder, in LlmCallTarget target, CostTags tags, DateTimeOffset timestamp, long startTimestamp, Activity? activity = null)
    {
        _span = activity;
        _recorder = recorder;
        _usage = new UsageAccumulator(recorder.Prices);
        if (target.UrlModel is { } urlModel)
        {
            _usage.SetRequestModel(urlModel);
        }

        Target = target;
        Tags = tags;
        _utcTicks = timestamp.UtcTicks;
        StartTimestamp = startTimestamp;
    }

    public LlmCallTarget Target { get; }

    /// <inheritdoc />
    public override LlmCostWriter Writer => _recorder.Writer;

    /// <summary>Gets the SDK's own span of this call, or <see langword="null"/> when nobody listens; stopped when the call finishes.</summary>
    public override Activity? Span => _span;

    public CostTags Tags { get; }

    public override DateTimeOffset Timestamp => new(_utcTicks, TimeSpan.Zero);

    /// <summary>Gets or sets the call's duration, set when it finishes.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>Gets or sets the usage the estimator counted, which replaces the (missing) reported usage.</summary>
    public TokenUsage? EstimatedUsage { get; set; }

    public long StartTimestamp { get; }

    public bool Streaming { get; private set; }

    public int? StatusCode { get; private set; }

    /// <summary>Gets a value indicating whether the call finished because its body was read to the end (not disposed, failed or abandoned).</summary>
    public bool EndOfBody { get; private set; }

    public string? ErrorType { get; private set; }

    public UsageAccumulator Usage => _usage;

    public string? RequestModel => _usage.RequestModel;

    /// <summary>Gets a value indicating whether the response bytes could not be read as the provider's format.</summary>
    public bool Malformed => (_reader?.Malformed ?? false) || (_decoded?.Decoder.Failed ?? false);

    /// <summary>Gets the model that served the call: the one the response named, or the URL's for providers whose responses never name it (Bedrock).</summary>
    public string? Model => _usage.Model ?? (Target.UrlModelIsServed ? Target.UrlModel : null);

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
        _requestBytes?.Reset();
        if (_requestBytes is null && Estimable)
        {
            _requestBytes = new RawCapture();
        }

        _requestJson = _requestJson?.Restart(RequestModelMapping.Instance) ?? new JsonScanner(RequestModelMapping.Instance, _usage);
    }

    public void ObserveRequest(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _requestJson?.Write(bytes);
            _requestBytes?.Append(bytes);
        }
        catch (Exception ex)
        {
            _requestJson = null;
            _recorder.OnInternalError(ex);
        }
    }

    /// <summary>Prepares to read the response: SSE when the content type says so, one JSON document otherwise.</summary>
    public void OnResponse(HttpResponseMessage response)
    {
        StatusCode = (int)response.StatusCode;
        if (StatusCode >= 400)
        {
            ErrorType = StatusCode.Value.ToString(CultureInfo.InvariantCulture);
        }

        _usage.BeginResponse();
        Target.Mapping.OnResponse(response, _usage);
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

        // The request's scanner reads the response: its body has been sent by the time the response arrives.
        _json = _requestJson?.Restart(Target.Mapping) ?? new JsonScanner(Target.Mapping, _usage);
        _requestJson = null;
        if (ContentDecoder.For(response.Content.Headers) is { } decoder) // issue 12: usage read through Content-Encoding, on a decoded copy
        {
            _decoded = new DecodedBytes(this, decoder);
        }

        if (sse)
        {
            Streaming = true;
            _reader = new SseUsageReader(_json);
        }
        else if (eventStream)
        {
            Streaming = true;
            _reader = new AwsEventStreamReader(_json);
        }
        else
        {
            // One JSON document, or a JSON array of streamed chunks (Gemini's streamGenerateContent without alt=sse) —
            // unless the first bytes are server-sent events under another label (a proxy that relabels streams).
            Streaming = Target.StreamingUrl;
            _reader = _json;
            _sniff = FramingSniff.Start;
        }

        // A stream's usage is whole only once its final report is read (UsageAccumulator.Final).
        _usage.RequiresFinalMarker = Streaming;
    }

    /// <summary>
    /// Keeps a stream's raw (decoded) bytes, in case its tokens must be estimated (it may end without usage); the estimator
    /// picks the text out later, off the request path. A stream that reports usage from its first event needs none.
    /// </summary>
    private void StartResponseCapture()
    {
        if (Estimable && !_usage.HasUsage)
        {
            _responseBytes ??= new RawCapture();
        }
        else
        {
            StopCapture();
        }
    }

    /// <summary>Reads response bytes the app has just received. Never throws.</summary>
    public void Observe(ReadOnlySpan<byte> bytes)
    {
        if (_observeFailed || Volatile.Read(ref _finished) != 0)
        {
            return;
        }

        try
        {
            if (_decoded is not null)
            {
                _decoded.Decoder.Write(bytes, _decoded); // the decoded copy comes back through Read
            }
            else
            {
                Read(bytes);
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
        if (_responseBytes is not null)
        {
            if (_usage.HasUsage)
            {
                // The provider reports usage itself (Anthropic's message_start, an include_usage chunk): stop copying.
                StopCapture();
            }
            else
            {
                _responseBytes.Append(bytes); // decoded: the estimator reads text, never gzip
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
            _usage.RequiresFinalMarker = true;
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
            _responseBytes?.Append(replay);
        }

        return rest.IsEmpty ? default : rest;
    }

    /// <summary>
    /// Hands the bytes captured from a streamed call over to the estimator: the caller then owns (and releases) them.
    /// Returns <see langword="false"/> when nothing was captured (not a stream, estimation off, or usage was reported).
    /// </summary>
    public bool TryTakeCaptures(out RawCapture? request, out RawCapture? response)
    {
        request = _requestBytes;
        response = _responseBytes;
        if (response is null)
        {
            request = null;
            return false;
        }

        _requestBytes = null;
        _responseBytes = null;
        return true;
    }

    private void StopCapture()
    {
        _requestBytes?.Release();
        _responseBytes?.Release();
        _requestBytes = null;
        _responseBytes = null;
    }

    /// <summary>The call failed before or while the response was read.</summary>
    public void Fail(Exception exception)
    {
        ErrorType ??= exception is LlmGuardrailException refused ? refused.ErrorType : exception.GetType().FullName;
        Finish(endOfBody: false);
    }

    /// <summary>Gets a value indicating whether the call ends without a record (<see cref="Discard"/>).</summary>
    public bool Discarded { get; private set; }

    /// <summary>Ends a call that leaves no record: a re-send of a call already recorded as refused, refused again.</summary>
    public void Discard(Exception exception)
    {
        Discarded = true;
        Fail(exception);
    }

    /// <summary>The body was read to the end, or the response was disposed (read or not).</summary>
    public void Finish(bool endOfBody)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        // Finished on the app's path: nothing is left for the finalizer (one header bit, no queue walk at GC).
#pragma warning disable CA1816 // not IDisposable: the finalizer only catches responses the app dropped, and a finished call needs none
        GC.SuppressFinalize(this);
#pragma warning restore CA1816

        try
        {
            EndOfBody = endOfBody;
            if (endOfBody && !_observeFailed)
            {
                if (_sniff.Undecided)
                {
                    Read(_sniff.End()); // a body too short to tell: what was held back goes to the JSON reader
                }

                _reader?.Complete();
            }

            _recorder.Complete(this);
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
        }
        finally
        {
            _json?.Release();
            _decoded?.Decoder.Dispose();
            _requestJson?.Release();
            StopCapture();
        }
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
        if (Volatile.Read(ref _finished) != 0)
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
        if (!_usage.HasUsage || _usage.Final || _usage.Unreliable)
        {
            return false;
        }

        _usage.MarkUnreliable();
        return true;
    }

    /// <inheritdoc />
    public override CostRecord ToRecord(Guid id)
    {
        var target = Target;
        var usage = _usage;
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
