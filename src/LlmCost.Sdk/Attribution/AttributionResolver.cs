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
/// Every tag set this type returns is read-only (<see cref="LlmCostTags.IsReadOnly"/>): tags a caller passes in that are not
/// are copied by the merge (<see cref="Merge(LlmCostTags, LlmCostTags)"/>, the SDK's one copy-and-merge routine), so changing
/// them later never changes a call already made. Thread-safe: holds immutable state only.
/// </remarks>
internal sealed class AttributionResolver
{
    private readonly LlmCostTags _defaults;
    private readonly bool _readBaggage;

    public AttributionResolver(LlmCostTags optionsDefaults, bool readBaggage)
    {
        _defaults = optionsDefaults.ToReadOnly();
        _readBaggage = readBaggage;
    }

    /// <summary>Creates the resolver of a service provider's options.</summary>
    public static AttributionResolver From(LlmCostOptions options)
    {
        var defaults = options.DefaultTags;
        return new AttributionResolver(
            Merge(defaults.Feature, defaults.Team, defaults.Customer, defaults.Environment ?? options.Environment, defaults.CustomTagsOrNull, LlmCostTags.Empty),
            options.Telemetry.ReadBaggage);
    }

    /// <summary>Gets the options' default tags (with the options' environment).</summary>
    public LlmCostTags Defaults => _defaults;

    /// <summary>Combines a client's (or decorator's) default tags with the options' defaults; done once per client, not per call.</summary>
    public LlmCostTags WithDefaults(LlmCostTags? clientDefaults) => clientDefaults is null ? _defaults : Merge(clientDefaults, _defaults);

    /// <summary>
    /// Resolves the tags of one call on the caller's flow.
    /// </summary>
    /// <param name="defaults">The client's defaults already combined by <see cref="WithDefaults"/>.</param>
    /// <param name="aiCall">The tags an enclosing AI-client call gives (its own tags over the scope over its defaults), if any.</param>
    /// <param name="request">The call's own tags, if any (copied when they are not read-only).</param>
    public LlmCostTags Resolve(LlmCostTags defaults, LlmCostTags? aiCall = null, LlmCostTags? request = null)
    {
        var tags = defaults.ToReadOnly();
        if (_readBaggage)
        {
            var baggage = BaggageAttribution.Read();
            if (!ReferenceEquals(baggage, LlmCostTags.Empty))
            {
                tags = Merge(baggage, tags);
            }
        }

        if (LlmCostScope.Current is { } scope)
        {
            tags = scope.Over(tags);
        }

        if (aiCall is not null)
        {
            tags = Merge(aiCall, tags);
        }

        if (request is not null)
        {
            tags = Merge(request, tags);
        }

        return tags;
    }

    /// <summary>
    /// What an AI-client call hands to the HTTP handler, so the HTTP record is attributed as the AI-client's would have
    /// been: the call's tags over the ambient scope over the decorator's own defaults (the handler adds its client's and
    /// the options' defaults below them), or <see langword="null"/> when the decorator adds nothing.
    /// </summary>
    public static LlmCostTags? ForHttp(LlmCostTags callTags, LlmCostTags decoratorDefaults)
    {
        if (ReferenceEquals(callTags, LlmCostTags.Empty) && ReferenceEquals(decoratorDefaults, LlmCostTags.Empty))
        {
            return null;
        }

        var inherited = LlmCostScope.Current is { } scope ? Merge(scope.Tags, decoratorDefaults) : decoratorDefaults;
        return Merge(callTags, inherited);
    }

    /// <summary>
    /// Fills each field of <paramref name="specific"/> that is <see langword="null"/> from <paramref name="fallback"/> (custom
    /// tags merged, <paramref name="specific"/>'s value winning) and returns the result, read-only. Returns an input without
    /// allocating when the other adds nothing and it is read-only already.
    /// </summary>
    /// <param name="specific">The more specific tags; copied when they are not read-only.</param>
    /// <param name="fallback">The less specific tags; copied when they are not read-only (the SDK's own always are).</param>
    public static LlmCostTags Merge(LlmCostTags specific, LlmCostTags fallback)
    {
        if (ReferenceEquals(specific, fallback) || fallback.IsEmpty)
        {
            return specific.ToReadOnly();
        }

        return specific.IsEmpty
            ? fallback.ToReadOnly()
            : Merge(specific.Feature, specific.Team, specific.Customer, specific.Environment, specific.CustomTagsOrNull, fallback);
    }

    /// <summary>
    /// Fills each of the given fields that is <see langword="null"/> from <paramref name="fallback"/>, merges
    /// <paramref name="custom"/> over its custom tags (the given value winning), and returns the result, read-only:
    /// <paramref name="fallback"/> itself when nothing is given.
    /// </summary>
    public static LlmCostTags Merge(
        string? feature, string? team, string? customer, string? environment, IEnumerable<KeyValuePair<string, string>>? custom, LlmCostTags fallback)
    {
        var inherited = fallback.CustomTagsOrNull is { } fallbackCustom ? LlmCostCustomTags.ReadOnlyCopy(fallbackCustom) : LlmCostCustomTags.Empty;
        LlmCostCustomTags merged;
        if (custom is null || custom is ICollection<KeyValuePair<string, string>> { Count: 0 })
        {
            if (feature is null && team is null && customer is null && environment is null)
            {
                return fallback.ToReadOnly();
            }

            merged = inherited;
        }
        else if (inherited.Count == 0 && custom is LlmCostCustomTags own)
        {
            merged = LlmCostCustomTags.ReadOnlyCopy(own);
        }
        else
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in inherited)
            {
                map[key] = value;
            }

            foreach (var (key, value) in custom)
            {
                map[key] = value;
            }

            merged = LlmCostCustomTags.ReadOnly(map);
        }

        return LlmCostTags.CreateReadOnly(
            feature ?? fallback.Feature, team ?? fallback.Team, customer ?? fallback.Customer, environment ?? fallback.Environment, merged);
    }
}
