namespace LlmCost.Sdk;

/// <summary>
/// The guardrails' pre-flight as the outermost handler of an <c>IHttpClientFactory</c> client: it checks budgets,
/// ceilings, rate limits and loops before any handler the application added to the client runs, so a retry handler
/// (Polly's <c>AddResilienceHandler</c>, <c>AddStandardResilienceHandler</c>, in whatever order they were added) never
/// sees a refusal: it is thrown at once, recorded once, and nothing is sent. Inserted by
/// <see cref="GuardrailHandlerFilter"/> in front of a client's handlers when the cost-tracking handler is not already the
/// first; the tracking handler stays where the application put it and records each attempt, joining the reservation made
/// here (see <see cref="BudgetLease"/>).
/// </summary>
internal sealed class GuardrailHandler : DelegatingHandler
{
    /// <summary>What a request checked here carries to the tracking handler: its <see cref="BudgetLease"/>, or <see cref="Nothing"/>.</summary>
    private static readonly HttpRequestOptionsKey<object> Key = new("LlmCost.Guardrails.Checked");

    private static readonly object Nothing = new();

    private readonly HttpCallTracker _tracker;
    private readonly BudgetGuard _guard;
    private readonly LlmCostTags _defaults;
    private readonly string? _provider;
    private readonly Func<HttpRequestMessage, CallObservation?> _begin;

    public GuardrailHandler(HttpCallTracker tracker, BudgetGuard guard, LlmCostTags clientDefaults, string? provider)
    {
        _tracker = tracker;
        _guard = guard;
        _defaults = clientDefaults;
        _provider = provider;
        _begin = Begin;
    }

    /// <summary>
    /// Whether the outermost handler already checked this request (then the tracking handler does not check it again), and
    /// what it reserved (<see langword="null"/> when nothing). Reads the request's options without creating them.
    /// </summary>
    public static bool TryGetLease(HttpRequestMessage request, out BudgetLease? lease)
    {
        lease = null;
        if (RequestOptionsPeek.Existing(request) is not { } options || !options.TryGetValue(Key, out var value))
        {
            return false;
        }

        lease = value as BudgetLease;
        return true;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!Applies(request, out var target, out var tags))
        {
            return base.SendAsync(request, cancellationToken);
        }

        var checking = _guard.GuardAsync(request, tags, target, _begin, cancellationToken);
        return checking.IsCompletedSuccessfully
            ? SendChecked(request, checking.Result, cancellationToken)
            : SendAfterCheckAsync(request, checking, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!Applies(request, out var target, out var tags))
        {
            return base.Send(request, cancellationToken);
        }

        // Sync path: an in-memory store completes synchronously; a distributed one blocks this sync call only.
        var checking = _guard.GuardAsync(request, tags, target, _begin, cancellationToken);
        var lease = checking.IsCompleted ? checking.GetAwaiter().GetResult() : checking.AsTask().GetAwaiter().GetResult();
        Mark(request, lease);
        try
        {
            return base.Send(request, cancellationToken);
        }
        finally
        {
            lease?.Complete();
        }
    }

    /// <summary>
    /// Whether a budget that may refuse, clamp, rate-limit or loop-check applies to the request. The tags are checked first
    /// (no budget in scope of them: the endpoint is not matched at all), then the endpoint and its provider.
    /// </summary>
    private bool Applies(HttpRequestMessage request, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LlmCallTarget? target, out LlmCostTags tags)
    {
        (target, tags) = (null, _defaults);
        try
        {
            tags = _tracker.ResolveTags(request, _defaults);
            return _guard.MayNeedPreflight(tags)
                && _tracker.TryResolveTarget(request, _provider, out target)
                && _guard.NeedsPreflight(tags, target.Provider);
        }
        catch (Exception ex)
        {
            _tracker.OnInternalError(ex);
            target = null;
            return false;
        }
    }

    private async Task<HttpResponseMessage> SendAfterCheckAsync(HttpRequestMessage request, ValueTask<BudgetLease?> checking, CancellationToken cancellationToken)
    {
        var lease = await checking.ConfigureAwait(false);
        return await SendChecked(request, lease, cancellationToken).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> SendChecked(HttpRequestMessage request, BudgetLease? lease, CancellationToken cancellationToken)
    {
        Mark(request, lease);
        Task<HttpResponseMessage> sending;
        try
        {
            sending = base.SendAsync(request, cancellationToken);
        }
        catch
        {
            lease?.Complete();
            throw;
        }

        if (lease is null)
        {
            return sending;
        }

        if (sending.IsCompleted)
        {
            lease.Complete();
            return sending;
        }

        return CompleteAfterAsync(sending, lease);
    }

    private static async Task<HttpResponseMessage> CompleteAfterAsync(Task<HttpResponseMessage> sending, BudgetLease lease)
    {
        try
        {
            return await sending.ConfigureAwait(false);
        }
        finally
        {
            lease.Complete();
        }
    }

    private static void Mark(HttpRequestMessage request, BudgetLease? lease) => request.Options.Set(Key, lease ?? Nothing);

    private CallObservation? Begin(HttpRequestMessage request) => _tracker.TryBegin(request, _defaults, _provider);
}
