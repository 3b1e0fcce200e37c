namespace LlmCost.Sdk.Extensions.AI;

/// <summary>
/// One AI-client call in progress: when it started, its attribution, and the handshake with the HTTP handler.
/// Finishing it records the call unless a tracked HttpClient already did.
/// </summary>
/// <remarks>
/// The rule that prevents double counting: the decorator enters <see cref="Context"/> around every step of the inner
/// client (the call, and each <c>MoveNextAsync</c> of a stream). A tracked HttpClient reached inside it marks the context
/// and writes its own record from the provider's bytes; the decorator then writes nothing. Otherwise the decorator
/// writes the record from the response's <c>UsageDetails</c>.
/// </remarks>
internal readonly struct AiCall
{
    private readonly LlmCostRecorder _recorder;
    private readonly long _startTimestamp;

    private AiCall(LlmCostRecorder recorder, CostTags tags, CostTags? httpTags)
    {
        _recorder = recorder;
        Tags = tags;
        Context = new AiClientCallContext { Tags = httpTags };
        Timestamp = recorder.Time.GetUtcNow();
        _startTimestamp = recorder.Time.GetTimestamp();
    }

    public AiClientCallContext Context { get; }

    public DateTimeOffset Timestamp { get; }

    public CostTags Tags { get; }

    /// <summary>Starts a call; the attribution is resolved now, on the caller's flow, as the HTTP handler does.</summary>
    /// <param name="recorder">The recorder.</param>
    /// <param name="clientDefaults">The decorator's default tags.</param>
    /// <param name="callTags">The call's own tags, from its options.</param>
    public static AiCall Start(LlmCostRecorder recorder, CostTags clientDefaults, CostTags callTags)
    {
        CostTags tags;
        CostTags? httpTags = null;
        try
        {
            tags = recorder.ResolveTags(callTags, clientDefaults);

            // What the HTTP handler needs to attribute the call as this decorator would: the call's tags over the scope over
            // the decorator's defaults; the handler adds its client's defaults and the options' below them.
            if (!ReferenceEquals(callTags, CostTags.Empty) || !ReferenceEquals(clientDefaults, CostTags.Empty))
            {
                var inherited = LlmCostScope.Current is { } scope ? TagMerger.Merge(scope.Tags, clientDefaults) : clientDefaults;
                httpTags = TagMerger.Merge(callTags, inherited);
            }
        }
        catch (Exception ex)
        {
            recorder.OnInternalError(ex);
            tags = callTags;
        }

        return new AiCall(recorder, tags, httpTags);
    }

    /// <summary>Records the finished call, unless the HTTP handler did. Never throws.</summary>
    public void Finish(string provider, string operation, string? model, string? requestModel, bool streaming, string? errorType, in AiUsageTotals usage)
    {
        try
        {
            if (Context.TrackedByHttp)
            {
                return;
            }

            _recorder.Record(new LlmCallFacts
            {
                Provider = provider,
                Operation = operation,
                Model = model,
                RequestModel = requestModel,
                Streaming = streaming,
                ServiceTier = usage.ServiceTier,
                StatusCode = null, // no HTTP response is visible at this layer
                ErrorType = errorType,
                Timestamp = Timestamp,
                Duration = _recorder.Time.GetElapsedTime(_startTimestamp),
                Tags = Tags,
                Usage = usage.ToUsage(),
            });
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
        }
    }
}
