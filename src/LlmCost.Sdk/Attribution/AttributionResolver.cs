namespace LlmCost.Sdk;

/// <summary>
/// The one place that holds the attribution precedence rule. Each field of a call's tags comes from the most specific
/// source that sets it: request tags, then the AI-client call's tags, then the ambient <see cref="LlmCostScope"/>, then
/// OpenTelemetry Baggage (when <see cref="LlmCostTelemetryOptions.ReadBaggage"/> is on), then the client's default tags,
/// then <see cref="LlmCostOptions.DefaultTags"/> and <see cref="LlmCostOptions.Environment"/>.
/// </summary>
/// <remarks>
/// Client defaults are combined with the options' defaults once per handler or decorator (<see cref="WithDefaults"/>), so
/// a call merges only the sources that are present; a merge that adds nothing returns an input without allocating.
/// Thread-safe: holds immutable state only.
/// </remarks>
internal sealed class AttributionResolver
{
    private readonly CostTags _defaults;
    private readonly bool _readBaggage;

    public AttributionResolver(CostTags optionsDefaults, bool readBaggage)
    {
        _defaults = optionsDefaults;
        _readBaggage = readBaggage;
    }

    /// <summary>Creates the resolver of a service provider's options.</summary>
    public static AttributionResolver From(LlmCostOptions options)
    {
        var defaults = TagMerger.Freeze(options.DefaultTags);
        return new AttributionResolver(defaults with { Environment = defaults.Environment ?? options.Environment }, options.Telemetry.ReadBaggage);
    }

    /// <summary>Gets the options' default tags (with the options' environment).</summary>
    public CostTags Defaults => _defaults;

    /// <summary>Combines a client's (or decorator's) default tags with the options' defaults; done once per client, not per call.</summary>
    public CostTags WithDefaults(CostTags clientDefaults) => TagMerger.Merge(clientDefaults, _defaults);

    /// <summary>
    /// Resolves the tags of one call on the caller's flow.
    /// </summary>
    /// <param name="defaults">The client's defaults already combined by <see cref="WithDefaults"/>.</param>
    /// <param name="aiCall">The tags an enclosing AI-client call gives (its own tags over the scope over its defaults), if any.</param>
    /// <param name="request">The call's own tags, if any.</param>
    public CostTags Resolve(CostTags defaults, CostTags? aiCall = null, CostTags? request = null)
    {
        var tags = defaults;
        if (_readBaggage)
        {
            var baggage = BaggageAttribution.Read();
            if (!ReferenceEquals(baggage, CostTags.Empty))
            {
                tags = TagMerger.Merge(baggage, tags);
            }
        }

        if (LlmCostScope.Current is { } scope)
        {
            tags = scope.Over(tags);
        }

        if (aiCall is not null)
        {
            tags = TagMerger.Merge(aiCall, tags);
        }

        if (request is not null)
        {
            tags = TagMerger.Merge(request, tags);
        }

        return tags;
    }

    /// <summary>
    /// What an AI-client call hands to the HTTP handler, so the HTTP record is attributed as the AI-client's would have
    /// been: the call's tags over the ambient scope over the decorator's own defaults (the handler adds its client's and
    /// the options' defaults below them), or <see langword="null"/> when the decorator adds nothing.
    /// </summary>
    public static CostTags? ForHttp(CostTags callTags, CostTags decoratorDefaults)
    {
        if (ReferenceEquals(callTags, CostTags.Empty) && ReferenceEquals(decoratorDefaults, CostTags.Empty))
        {
            return null;
        }

        var inherited = LlmCostScope.Current is { } scope ? TagMerger.Merge(scope.Tags, decoratorDefaults) : decoratorDefaults;
        return TagMerger.Merge(callTags, inherited);
    }
}
