using OpenTelemetry;

namespace LlmCost.Sdk;

/// <summary>
/// An ambient attribution scope: every LLM call made inside it (on this async flow) is tagged with its values.
/// </summary>
/// <remarks>
/// Scopes flow with the <see cref="ExecutionContext"/> (they are stored in an <see cref="AsyncLocal{T}"/>), so they
/// follow <see langword="await"/> and <see cref="Task.Run(Action)"/> but never leak to other requests.
/// A nested scope overrides only the fields it sets; custom tags are merged, the inner value winning.
/// When <see cref="LlmCostTelemetryOptions.WriteBaggage"/> is on, a scope also writes its standard tags to
/// OpenTelemetry Baggage (keys <c>llmcost.feature</c>, <c>llmcost.team</c>, <c>llmcost.customer</c>,
/// <c>llmcost.environment</c>) so downstream services see them, and restores the previous baggage when disposed.
/// Dispose the returned object to end the scope. This type is thread-safe.
/// </remarks>
/// <example>
/// <code>
/// using (LlmCostScope.Begin(feature: "ticket-triage", customer: tenantId))
/// {
///     await chatClient.CompleteChatAsync(messages);
/// }
/// </code>
/// </example>
public sealed class LlmCostScope : IDisposable
{
    private static readonly AsyncLocal<LlmCostScope?> CurrentScope = new();

    private readonly LlmCostScope? _parent;
    private Baggage _previousBaggage;
    private bool _wroteBaggage;
    private bool _disposed;
    private MergedTags? _lastMerge;

    private LlmCostScope(LlmCostScope? parent, LlmCostTags tags)
    {
        _parent = parent;
        Tags = tags;
    }

    /// <summary>Gets the innermost active scope on this async flow, or <see langword="null"/> when there is none.</summary>
    public static LlmCostScope? Current => CurrentScope.Value;

    /// <summary>Gets the tags in force in this scope, already merged with every enclosing scope.</summary>
    /// <value>Read-only (<see cref="LlmCostTags.IsReadOnly"/>); copy them with <see cref="LlmCostTags(LlmCostTags)"/> to change them.</value>
    public LlmCostTags Tags { get; }

    /// <summary>
    /// Begins a scope whose tags apply to every LLM call made until the returned scope is disposed.
    /// </summary>
    /// <param name="feature">The product feature, or <see langword="null"/> to keep the enclosing scope's.</param>
    /// <param name="team">The owning team, or <see langword="null"/> to keep the enclosing scope's.</param>
    /// <param name="customer">The customer or tenant, or <see langword="null"/> to keep the enclosing scope's.</param>
    /// <param name="environment">The environment, or <see langword="null"/> to keep the enclosing scope's.</param>
    /// <param name="tags">Custom tags, merged over the enclosing scope's custom tags.</param>
    /// <returns>The scope; dispose it to restore the enclosing scope.</returns>
    public static LlmCostScope Begin(
        string? feature = null,
        string? team = null,
        string? customer = null,
        string? environment = null,
        IEnumerable<KeyValuePair<string, string>>? tags = null)
    {
        var parent = CurrentScope.Value;
        var merged = AttributionResolver.Merge(feature, team, customer, environment, tags, parent?.Tags ?? LlmCostTags.Empty);

        var scope = new LlmCostScope(parent, merged);
        CurrentScope.Value = scope;
        if (BaggageAttribution.WriteEnabled)
        {
            scope._previousBaggage = BaggageAttribution.Write(merged);
            scope._wroteBaggage = true;
        }

        return scope;
    }

    /// <summary>Ends the scope and restores the enclosing one.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (ReferenceEquals(CurrentScope.Value, this))
        {
            CurrentScope.Value = _parent;
            if (_wroteBaggage)
            {
                Baggage.Current = _previousBaggage;
            }
        }
    }

    /// <summary>
    /// Gets this scope's tags over <paramref name="fallback"/> (a client's defaults), reusing the last result when the
    /// fallback is the same: calls in one scope through one client then allocate no tags object each.
    /// </summary>
    internal LlmCostTags Over(LlmCostTags fallback)
    {
        var last = Volatile.Read(ref _lastMerge);
        if (last is not null && ReferenceEquals(last.Fallback, fallback))
        {
            return last.Merged;
        }

        var merged = AttributionResolver.Merge(Tags, fallback);
        Volatile.Write(ref _lastMerge, new MergedTags(fallback, merged));
        return merged;
    }

    /// <summary>One merge result, swapped as a whole so parallel calls in the scope never see half of one.</summary>
    private sealed record MergedTags(LlmCostTags Fallback, LlmCostTags Merged);
}
