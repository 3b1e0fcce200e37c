using System.Diagnostics;
using System.Globalization;

namespace LlmCost.Sdk;

/// <summary>
/// Everything known about one tracked call while it runs. Finished exactly once — at the end of the body, on
/// dispose, or on error — whichever comes first, and then turned into a <see cref="CostRecord"/>.
/// </summary>
/// <remarks>Every method is safe to call from the app's call path: none throws.</remarks>
internal sealed class CallObservation
{
    private static readonly ulong ModelName = JsonPath.Hash("model"u8);

    private readonly LlmCostRecorder _recorder;
    private readonly UsageAccumulator _usage;
    private JsonScanner? _json;
    private IUsageReader? _reader;
    private ContentDecoder? _decoder;
    private JsonScanner? _requestJson;
    private TextCapture? _requestText;
    private TextCapture? _responseText;
    private int _finished;
    private bool _observeFailed;

    public CallObservation(LlmCostRecorder recorder, in LlmCallTarget target, CostTags tags, DateTimeOffset timestamp, long startTimestamp, Activity? activity = null)
    {
        Activity = activity;
        _recorder = recorder;
        _usage = new UsageAccumulator(recorder.Prices);
        if (target.UrlModel is { } urlModel)
        {
            _usage.SetRequestModel(urlModel);
        }

        Target = target;
        Tags = tags;
        Timestamp = timestamp;
        StartTimestamp = startTimestamp;
    }

    public LlmCallTarget Target { get; }

    /// <summary>Gets the SDK's own span of this call, or <see langword="null"/> when nobody listens; stopped when the call finishes.</summary>
    public Activity? Activity { get; }

    public CostTags Tags { get; }

    public DateTimeOffset Timestamp { get; }

    public long StartTimestamp { get; }

    public bool Streaming { get; private set; }

    public int? StatusCode { get; private set; }

    public string? ErrorType { get; private set; }

    public UsageAccumulator Usage => _usage;

    public string? RequestModel => _usage.RequestModel;

    /// <summary>Gets a value indicating whether the response bytes could not be read as the provider's format.</summary>
    public bool Malformed => (_reader?.Malformed ?? false) || (_decoder?.Failed ?? false);

    /// <summary>Gets the model that served the call: the one the response named, or the URL's for providers whose responses never name it (Bedrock).</summary>
    public string? Model => _usage.Model ?? (Target.UrlModelIsServed ? Target.UrlModel : null);

    /// <summary>
    /// Starts reading the request body for its <c>model</c>, as the body is sent; with usage estimation on, also copies
    /// the text of its messages (see <see cref="TextCapture"/>), kept only if the response turns out to be a stream.
    /// </summary>
    public void ObserveRequestStart()
    {
        _requestJson?.Release();
        _requestText?.Release();
        _requestText = null;
        if (_recorder.EstimatesMissingUsage && Target.Operation != LlmOperations.Embeddings && TextFields.RequestFor(Target.Mapping) is { } fields)
        {
            _requestText = new TextCapture(fields, separateValues: true);
        }

        _requestJson = new JsonScanner(RequestModelMapping.Instance, _usage, _requestText);
    }

    public void ObserveRequest(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _requestJson?.Write(bytes);
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

        Target.Mapping.OnResponse(response, _usage);
        var contentType = ContentType(response.Content.Headers);
        var sse = contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        if (sse && _recorder.EstimatesMissingUsage && !_usage.HasUsage && TextFields.ResponseFor(Target.Mapping) is { } fields)
        {
            // A stream may end without usage: keep what it streams, in case its tokens must be estimated. The events' raw
            // data is copied (one copy per event; events without usage are still skipped unread) and the estimator picks
            // the text out later, off the request path.
            _responseText = new TextCapture(fields, separateValues: false, raw: true);
        }
        else
        {
            // A JSON response always carries its usage: the request's text is not needed.
            StopCapture();
        }

        _json = new JsonScanner(Target.Mapping, _usage);
        _decoder = ContentDecoder.For(response.Content.Headers); // issue 12: usage read through Content-Encoding, on a decoded copy
        if (sse)
        {
            Streaming = true;
            _reader = new SseUsageReader(_json, _responseText);
        }
        else if (contentType.StartsWith("application/vnd.amazon.eventstream", StringComparison.OrdinalIgnoreCase))
        {
            Streaming = true;
            _reader = new AwsEventStreamReader(_json);
        }
        else
        {
            // One JSON document, or a JSON array of streamed chunks (Gemini's streamGenerateContent without alt=sse).
            Streaming = Target.StreamingUrl;
            _reader = _json;
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
            if (_decoder is not null && _reader is not null)
            {
                _decoder.Write(bytes, _reader);
            }
            else
            {
                _reader?.Write(bytes);
            }

            if (_responseText is not null && _usage.HasUsage)
            {
                // The provider reports usage itself (Anthropic's message_start, an include_usage chunk): stop copying text.
                StopCapture();
            }
        }
        catch (Exception ex)
        {
            _observeFailed = true;
            _recorder.OnInternalError(ex);
        }
    }

    /// <summary>
    /// Hands the text captured from a streamed call over to the estimator: the caller then owns (and releases) it.
    /// Returns <see langword="false"/> when nothing was captured (not a stream, estimation off, or usage was reported).
    /// </summary>
    public bool TryTakeCaptures(out TextCapture? request, out TextCapture? response)
    {
        request = null;
        response = _responseText;
        if (response is null)
        {
            return false;
        }

        (_reader as SseUsageReader)?.StopRaw();
        _requestJson?.StopText();
        request = _requestText;
        _requestText = null;
        _responseText = null;
        return true;
    }

    private void StopCapture()
    {
        (_reader as SseUsageReader)?.StopRaw();
        _requestJson?.StopText();
        _requestText?.Release();
        _responseText?.Release();
        _requestText = null;
        _responseText = null;
    }

    /// <summary>The call failed before or while the response was read.</summary>
    public void Fail(Exception exception)
    {
        ErrorType ??= exception.GetType().FullName;
        Finish(endOfBody: false);
    }

    /// <summary>The body was read to the end, or the response was disposed (read or not).</summary>
    public void Finish(bool endOfBody)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        try
        {
            if (endOfBody && !_observeFailed)
            {
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
            _decoder?.Dispose();
            _requestJson?.Release();
            StopCapture();
        }
    }

    /// <summary>Reads the raw Content-Type without parsing it into a <see cref="System.Net.Http.Headers.MediaTypeHeaderValue"/>.</summary>
    private static ReadOnlySpan<char> ContentType(System.Net.Http.Headers.HttpContentHeaders headers) =>
        headers.NonValidated.TryGetValues("Content-Type", out var values) && values.Count > 0
            ? values.ToString().AsSpan().TrimStart()
            : default;

    /// <summary>Reads the top-level <c>model</c> of a request body.</summary>
    private sealed class RequestModelMapping : UsageMapping
    {
        public static readonly RequestModelMapping Instance = new();

        public override int MaxDepth => 1;

        public override UsageField Match(in JsonPath path) => path.Is(ModelName) ? UsageField.RequestModel : UsageField.None;
    }
}
