namespace LlmCost.Sdk;

/// <summary>
/// One LLM call in progress, recorded by code that is not the HTTP handler (an AI-client decorator, a custom client):
/// started with <see cref="ILlmCostTracker.BeginCall"/>, given what the response said (<see cref="Usage"/>,
/// <see cref="ResponseModel"/>, <see cref="ServiceTier"/>, <see cref="ErrorType"/>), and completed with
/// <see cref="Complete"/> or <see cref="Dispose"/>. The record is then built, priced and written off the caller's path.
/// </summary>
/// <remarks>
/// <para>
/// No double counting: wrap every step of the inner client's work (the call, and each step of a stream) in
/// <c>using (call.Enter())</c>. When a request made inside reaches an <see cref="HttpClient"/> with the cost handler, the
/// handler records the call from the provider's own bytes (with this call's <see cref="Tags"/> below the request's own),
/// marks this call (<see cref="IsTrackedByHttp"/>) and <see cref="Complete"/> writes nothing.
/// </para>
/// <para>
/// Set the properties from one flow at a time; <see cref="Complete"/> is idempotent and may be called from any thread.
/// Nothing here throws into the application's call.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// using var call = tracker.BeginCall(LlmProviders.OpenAI, LlmOperations.Chat, requestModel: "gpt-4o");
/// using (call.Enter())
/// {
///     response = await client.SendAsync(request);
/// }
///
/// call.Usage = new TokenUsage { InputTokens = 1200, OutputTokens = 350, Source = UsageSource.Provider };
/// call.ResponseModel = "gpt-4o-2024-08-06";
/// </code>
/// </example>
public sealed class LlmCall : IDisposable
{
    private static readonly AsyncLocal<LlmCall?> CurrentCall = new();

    private readonly Pending? _pending;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private int _trackedByHttp;
    private int _completed;

    /// <summary>
    /// Initializes a call that records nothing, for test doubles of <see cref="ILlmCostTracker"/>; the SDK's tracker makes
    /// recording calls with <see cref="ILlmCostTracker.BeginCall"/>.
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="requestModel">The model the request asks for.</param>
    /// <param name="tags">The call's tags (copied unless they are read-only).</param>
    public LlmCall(string provider, string operation, string? requestModel = null, LlmCostTags? tags = null)
        : this(writer: null, TimeProvider.System, provider, operation, requestModel, tags?.ToReadOnly() ?? LlmCostTags.Empty, httpTags: null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(operation);
    }

    internal LlmCall(LlmCostWriter? writer, TimeProvider time, string provider, string operation, string? requestModel, LlmCostTags tags, LlmCostTags? httpTags)
    {
        _time = time;
        Provider = provider;
        Operation = operation;
        RequestModel = requestModel;
        Tags = tags;
        HttpTags = httpTags;
        Timestamp = time.GetUtcNow();
        _startTimestamp = time.GetTimestamp();
        _pending = writer is null ? null : new Pending(writer, this);
    }

    /// <summary>Gets the provider, as an OpenTelemetry <c>gen_ai.provider.name</c> value (<see cref="LlmProviders"/>).</summary>
    public string Provider { get; }

    /// <summary>Gets the operation, as an OpenTelemetry <c>gen_ai.operation.name</c> value (<see cref="LlmOperations"/>).</summary>
    public string Operation { get; }

    /// <summary>Gets when the call started.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the attribution resolved when the call began: its own tags over the ambient scope, baggage and defaults.</summary>
    /// <value>Read-only (<see cref="LlmCostTags.IsReadOnly"/>).</value>
    public LlmCostTags Tags { get; }

    /// <summary>Gets or sets the model the request asked for.</summary>
    /// <value>The value given to <see cref="ILlmCostTracker.BeginCall"/>.</value>
    public string? RequestModel { get; set; }

    /// <summary>Gets or sets the model that served the call, as the response names it.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ResponseModel { get; set; }

    /// <summary>Gets or sets the service tier that served the call, as the response names it (<c>flex</c>, <c>priority</c>, <c>batch</c>...).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ServiceTier { get; set; }

    /// <summary>Gets or sets a value indicating whether the response was streamed.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Streaming { get; set; }

    /// <summary>Gets or sets the HTTP status code, when the caller saw one.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? StatusCode { get; set; }

    /// <summary>Gets or sets the error, as an OpenTelemetry <c>error.type</c> value; <see langword="null"/> for a successful call.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ErrorType { get; set; }

    /// <summary>Gets or sets the normalized token usage the response reported.</summary>
    /// <value>The default value is <see cref="TokenUsage.None"/>: the cost of a successful call without usage is unknown (<see langword="null"/>).</value>
    public TokenUsage Usage { get; set; } = TokenUsage.None;

    /// <summary>Gets a value indicating whether a tracked <see cref="HttpClient"/> recorded a request of this call (it then writes nothing itself).</summary>
    public bool IsTrackedByHttp => Volatile.Read(ref _trackedByHttp) != 0;

    /// <summary>Gets the call in progress on this async flow, for the HTTP handler.</summary>
    internal static LlmCall? Current => CurrentCall.Value;

    /// <summary>Gets the tags the HTTP handler applies below a request's own when it records this call, or <see langword="null"/>.</summary>
    internal LlmCostTags? HttpTags { get; }

    /// <summary>
    /// Makes this call current on this async flow until the returned scope is disposed, so that a tracked
    /// <see cref="HttpClient"/> reached inside finds it. Does nothing once <see cref="IsTrackedByHttp"/> is set (the decision is
    /// made, and each change of an async-local value allocates).
    /// </summary>
    /// <returns>The scope that restores the previous call.</returns>
    public LlmCallScope Enter()
    {
        if (IsTrackedByHttp)
        {
            return default;
        }

        var previous = CurrentCall.Value;
        CurrentCall.Value = this;
        return new LlmCallScope(previous, entered: true);
    }

    /// <summary>Records a failure: sets <see cref="ErrorType"/> to the exception's type name unless it is already set.</summary>
    /// <param name="exception">The exception the call ended with.</param>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ErrorType ??= exception.GetType().FullName;
    }

    /// <summary>
    /// Ends the call and queues its record, unless a tracked <see cref="HttpClient"/> recorded it or tracking is disabled.
    /// Only the first call does anything; never throws.
    /// </summary>
    public void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0 || _pending is null || IsTrackedByHttp)
        {
            return;
        }

        try
        {
            _pending.Duration = _time.GetElapsedTime(_startTimestamp);
            _pending.Writer.Write(_pending);
        }
        catch (Exception ex)
        {
            _pending.Writer.OnInternalError(ex);
        }
    }

    /// <summary>Completes the call (<see cref="Complete"/>).</summary>
    public void Dispose() => Complete();

    internal void MarkTrackedByHttp() => Volatile.Write(ref _trackedByHttp, 1);

    internal static void Restore(LlmCall? previous) => CurrentCall.Value = previous;

    /// <summary>The queued form of the call; a separate object so the public type does not expose the pipeline's base class.</summary>
    private sealed class Pending(LlmCostWriter writer, LlmCall call) : PendingRecord
    {
        public override LlmCostWriter Writer => writer;

        public TimeSpan Duration { get; set; }

        public override DateTimeOffset Timestamp => call.Timestamp;

        public override bool TagsCurrentGenAISpan => true;

        public override CostRecord ToRecord(Guid id) => new()
        {
            Id = id,
            Timestamp = call.Timestamp,
            Provider = call.Provider,
            Operation = call.Operation,
            Model = call.ResponseModel,
            RequestModel = call.RequestModel,
            ServiceTier = call.ServiceTier,
            Streaming = call.Streaming,
            StatusCode = call.StatusCode,
            ErrorType = call.ErrorType,
            DurationMs = Math.Max(0, Duration.TotalMilliseconds), // a clock that ran backwards never gives a negative duration
            Tags = call.Tags,
            Usage = call.Usage ?? TokenUsage.None,
        };
    }
}
