using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// The guardrails' pre-flight check of a tracked HTTP call, and the settlement of what it reserved. Registered only when a
/// budget is configured: without budgets the handler never reaches it.
/// </summary>
/// <remarks>
/// <para>
/// On the call's path, <see cref="Prepare"/> compares the call's tags and provider with each budget's scope (no
/// allocation). Only when a budget that may refuse, clamp, rate-limit or loop-check the call applies is the body read
/// before it is sent (into a pooled buffer; see <see cref="RequestBody"/>), and then, in order: the token ceiling (refuse,
/// or clamp the max-tokens field), loop detection, the worst-case estimate, rate limits, and a reservation in each
/// budget's scope (refused when a hard cap would be exceeded). A call only warn-only budgets apply to is not read: its
/// record settles its spend.
/// </para>
/// <para>
/// A refused call is recorded once (its <c>errorType</c> says why, cost zero) and its exception thrown; nothing was sent.
/// Anything else that goes wrong here (a store that throws, a body that cannot be read) lets the call go, logged and
/// counted: the SDK never fails a call it was not configured to refuse.
/// </para>
/// </remarks>
internal sealed class BudgetGuard : IDisposable
{
    private const int MaxScopes = 10_000;

    private readonly CompiledBudget[] _budgets;
    private readonly IBudgetStore _store;
    private readonly LlmCostEstimator _estimator;
    private readonly BudgetAlerts _alerts;
    private readonly LlmCostWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _reservationTimeout;
    private readonly Counter<long>? _refusals;
    private readonly ConcurrentDictionary<string, RateLimiter> _limiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LoopCounter> _loops = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _pending = new();
    private readonly SpendSettlement _spendSettlement;

    /// <summary>Whether the store may keep shared counters (<see cref="IBudgetStore.IncrementAsync"/>); the in-memory store keeps none.</summary>
    private readonly bool _sharedCounters;

    /// <summary>The contents of refused requests (the application's own, unwrapped), so that a re-send is not recorded again.</summary>
    private readonly ConditionalWeakTable<HttpContent, object> _refused = new();

    public BudgetGuard(
        BudgetNames names,
        IOptionsMonitor<LlmBudgetOptions> budgets,
        IOptions<LlmGuardrailOptions> options,
        IBudgetStore store,
        LlmCostEstimator estimator,
        LlmCostWriter writer,
        TimeProvider time,
        IEnumerable<ILlmBudgetAlertHandler> handlers,
        ILogger logger,
        Meter? meter)
    {
        _budgets = [.. names.Names.Select(name => new CompiledBudget(name, budgets.Get(name)))];
        _store = store;
        _estimator = estimator;
        _writer = writer;
        _time = time;
        _logger = logger;
        _reservationTimeout = options.Value.ReservationTimeout;
        _refusals = meter?.CreateCounter<long>("llmcost.budget.refusals", "{call}", "LLM calls refused by a guardrail before they were sent, by budget and error type.");
        _alerts = new BudgetAlerts(store, handlers, logger, meter);
        _spendSettlement = new SpendSettlement(this);
        _sharedCounters = store is not InMemoryBudgetStore;
    }

    /// <summary>Gets the store.</summary>
    public IBudgetStore Store => _store;

    /// <summary>
    /// Prepares a call for the budgets whose scope may contain it (its model is checked later): returns
    /// <see langword="true"/> when one of them may refuse, clamp, rate-limit or loop-check it, so it must be checked
    /// before it is sent (<see cref="PreflightAsync"/>). When only budgets that cannot refuse it apply (warn-only limits,
    /// anomaly alerts), nothing is read before sending: the call's record settles its spend in their scopes when it is made.
    /// When the guardrails' outermost handler (<see cref="GuardrailHandler"/>) already checked the request, this attempt
    /// joins what it reserved instead (a retry inside the pipeline is one more attempt of the same reservation).
    /// Allocates nothing when no budget applies.
    /// </summary>
    public bool Prepare(CallObservation call, HttpRequestMessage request)
    {
        var tags = call.Tags;
        var provider = call.Target.Provider;
        var settles = false;
        foreach (var budget in _budgets)
        {
            if (budget.Matches(tags, provider))
            {
                if (budget.NeedsPreflight)
                {
                    if (!GuardrailHandler.TryGetLease(request, out var lease))
                    {
                        return true;
                    }

                    // Checked by the outermost handler: this attempt settles into its reservation (or, when it reserved
                    // nothing or its reservation is settled already, adds its spend as a call without one).
                    call.Settlement = lease?.Attach() ?? _spendSettlement;
                    return false;
                }

                settles |= budget.CountsSpend;
            }
        }

        if (settles)
        {
            call.Settlement = _spendSettlement;
        }

        return false;
    }

    /// <summary>Whether a budget that may refuse, clamp, rate-limit or loop-check applies to a call with these tags and provider. Allocates nothing.</summary>
    public bool NeedsPreflight(LlmCostTags tags, string provider)
    {
        foreach (var budget in _budgets)
        {
            if (budget.NeedsPreflight && budget.Matches(tags, provider))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a budget that may refuse, clamp, rate-limit or loop-check applies to a call with these tags, whatever its provider. Allocates nothing.</summary>
    public bool MayNeedPreflight(LlmCostTags tags)
    {
        foreach (var budget in _budgets)
        {
            if (budget.NeedsPreflight && budget.MatchesTags(tags))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Checks a call before it is sent (the tracking handler's own check, when no outer handler did it). Throws the refusal
    /// (after recording the call) when a guardrail refuses it; otherwise the call goes on, holding its reservations until its
    /// record settles them. Completes synchronously (a cached task) when the store does.
    /// </summary>
    public async Task PreflightAsync(HttpRequestMessage request, CallObservation call, CancellationToken cancellationToken)
    {
        Outcome outcome;
        try
        {
            outcome = await CheckAsync(request, call.Tags, call.Target, call, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            call.Fail(ex);
            throw;
        }
        catch (Exception ex)
        {
            // Never fail a call the guardrails were not configured to refuse.
            _writer.OnInternalError(ex);
            return;
        }

        if (outcome.Model is { } model && call.RequestModel is null)
        {
            // A refused call never sends its body, so its record learns the model here.
            call.Usage.SetRequestModel(model);
        }

        if (outcome.Refusal is { } refusal)
        {
            Refuse(request, call, refusal);
        }

        if (outcome.Lease is { } lease)
        {
            call.Settlement = lease;
        }
    }

    /// <summary>
    /// Checks a request in the guardrails' outermost handler, before any handler the application added runs: returns what
    /// it reserved (<see langword="null"/> when nothing), or records the refused call once and throws its refusal.
    /// </summary>
    public async ValueTask<BudgetLease?> GuardAsync(HttpRequestMessage request, LlmCostTags tags, LlmCallTarget target, Func<HttpRequestMessage, CallObservation?> begin, CancellationToken cancellationToken)
    {
        Outcome outcome;
        try
        {
            outcome = await CheckAsync(request, tags, target, call: null, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            begin(request)?.Fail(ex);
            throw;
        }
        catch (Exception ex)
        {
            _writer.OnInternalError(ex);
            return null;
        }

        if (outcome.Refusal is { } refusal)
        {
            // Only a refused call is observed here (its record is the refusal); a call that goes on is observed per attempt
            // by the tracking handler.
            var call = begin(request);
            if (call is null)
            {
                throw refusal;
            }

            if (outcome.Model is { } model && call.RequestModel is null)
            {
                call.Usage.SetRequestModel(model);
            }

            Refuse(request, call, refusal);
        }

        return outcome.Lease;
    }

    /// <summary>Records a refused call once (a re-send of the same request is not recorded again) and throws its refusal.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Refuse(HttpRequestMessage request, CallObservation call, LlmGuardrailException refusal)
    {
        // A retry inside the HttpClient pipeline (a Polly or Http.Resilience handler in front of this one, where no outer
        // guardrail handler runs) sends the same request again, or a clone of it with the same content: refused again, it is
        // the same call, recorded once.
        var content = ApplicationContent(request.Content);
        if (content is not null && _refused.TryGetValue(content, out _))
        {
            Log.CallRefusedAgain(_logger, refusal.BudgetName, refusal.ErrorType);
            call.Discard(refusal);
            throw refusal;
        }

        if (content is not null)
        {
            _refused.AddOrUpdate(content, refusal);
        }

        _refusals?.Add(1, new KeyValuePair<string, object?>("llmcost.budget", refusal.BudgetName), new KeyValuePair<string, object?>("error.type", refusal.ErrorType));
        Log.CallRefused(_logger, refusal.BudgetName, refusal.ErrorType);
        call.Fail(refusal);
        throw refusal;
    }

    /// <summary>The application's content of a request, under the SDK's wrappers (the same object each time the request is sent).</summary>
    private static HttpContent? ApplicationContent(HttpContent? content)
    {
        if (content is ObservedRequestContent observed)
        {
            content = observed.Inner;
        }

        return content is StreamUsageRequestContent streamUsage ? streamUsage.Inner : content;
    }

    /// <summary>Settles reservations to a call's real cost (on the pump, when its record is made). Never throws.</summary>
    public void Settle(BudgetLease.Reservation[] reservations, decimal cost, long tokens)
    {
        var now = _time.GetUtcNow();
        foreach (var reservation in reservations)
        {
            try
            {
                var scope = reservation.Scope;
                var window = reservation.Window;
                var addTo = scope.Budget.Options.AnomalyFactor is null
                    ? window.CurrentOnly
                    : [window.Current, new BudgetBucket(BudgetWindow.DayBucket(scope.Budget.Zone, window.Start < now ? now : window.Start, 0), now.AddDays(scope.Budget.Options.AnomalyDays + 2))];
                var pending = SettleAsync(scope, window, new BudgetSettlement { ScopeKey = scope.Key, Id = reservation.Id, Buckets = window.Buckets, AddTo = addTo, Cost = cost, Tokens = tokens, Now = now }, now);
                if (!pending.IsCompleted)
                {
                    Track(pending);
                }
            }
            catch (Exception ex)
            {
                _writer.OnInternalError(ex);
            }
        }
    }

    /// <summary>
    /// Adds a call's real cost to the scopes of the budgets that apply to its record, with nothing reserved before (the
    /// call had no pre-flight: only budgets that cannot refuse applied). On the pump, when the record is made. Never throws.
    /// </summary>
    public void SettleSpend(CostRecord record)
    {
        try
        {
            var model = record.RequestModel ?? record.Model;
            var count = 0;
            foreach (var budget in _budgets)
            {
                if (budget.CountsSpend && budget.Matches(record.Tags, record.Provider) && budget.MatchesModel(model))
                {
                    count++;
                }
            }

            if (count == 0)
            {
                return;
            }

            var scopes = new BudgetLease.Reservation[count];
            count = 0;
            foreach (var budget in _budgets)
            {
                if (budget.CountsSpend && budget.Matches(record.Tags, record.Provider) && budget.MatchesModel(model))
                {
                    scopes[count++] = new BudgetLease.Reservation(budget.ScopeOf(record.Tags, record.Provider, model), budget.WindowAt(record.Timestamp), Id: null);
                }
            }

            var tokens = record.Usage.Source != UsageSource.None ? record.Usage.InputTokens + record.Usage.OutputTokens : 0;
            Settle(scopes, record.Cost?.Total ?? 0m, tokens);
        }
        catch (Exception ex)
        {
            _writer.OnInternalError(ex);
        }
    }

    /// <summary>Waits until every settlement (and the alerts it raises) started before this call is done; for tests and flushes.</summary>
    public async Task WhenIdleAsync()
    {
        while (!_pending.IsEmpty)
        {
            await Task.WhenAll(_pending.Keys).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _alerts.Dispose();
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }

    private async Task SettleAsync(BudgetScope scope, BudgetWindow window, BudgetSettlement settlement, DateTimeOffset now)
    {
        try
        {
            var totals = await _store.SettleAsync(settlement).ConfigureAwait(false);
            await _alerts.EvaluateAsync(scope, window, totals, now).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.SettleFailed(_logger, scope.Budget.Name, ex);
        }
    }

    private void Track(Task task)
    {
        _pending[task] = 0;
        _ = task.ContinueWith(static (t, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _), _pending, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async ValueTask<Outcome> CheckAsync(HttpRequestMessage request, LlmCostTags tags, LlmCallTarget target, CallObservation? call, CancellationToken cancellationToken)
    {
        using var read = await RequestBody.ReadAsync(request.Content, cancellationToken).ConfigureAwait(false);
        return await CheckAsync(request, tags, target, call, read.Memory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The checks of a request whose body is read; <paramref name="call"/> is the call's observation (the tracking handler's own check), or <see langword="null"/> (the outermost handler's).</summary>
    private async ValueTask<Outcome> CheckAsync(HttpRequestMessage request, LlmCostTags tags, LlmCallTarget target, CallObservation? call, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var shape = RequestShape.Read(body.Span);
        var model = shape.Model ?? target.UrlModel;

        var matching = 0;
        foreach (var budget in _budgets)
        {
            if (budget.Matches(tags, target.Provider) && budget.MatchesModel(model))
            {
                matching++;
            }
        }

        if (matching == 0)
        {
            return new Outcome(null, null, model);
        }

        var scopes = new BudgetScope[matching];
        matching = 0;
        foreach (var budget in _budgets)
        {
            if (budget.Matches(tags, target.Provider) && budget.MatchesModel(model))
            {
                scopes[matching++] = budget.ScopeOf(tags, target.Provider, model);
            }
        }

        // 1. Token ceilings: refuse, or rewrite the max-tokens field (every other byte kept).
        foreach (var scope in scopes)
        {
            if (scope.Budget.Options.MaxOutputTokens is not { } ceiling)
            {
                continue;
            }

            if (shape.MaxTokens is { } asked && asked > ceiling)
            {
                if (!scope.Budget.Options.ClampOutputTokens || shape.MaxTokensStart < 0)
                {
                    return new Outcome(new LlmTokenCeilingExceededException(scope.Budget.Name, scope.Values, asked, ceiling), null, model);
                }

                var rewritten = TokenCeiling.Rewrite(body.Span, shape, ceiling);
                TokenCeiling.Replace(request, call, rewritten);
                body = rewritten;
            }
            else if (shape.MaxTokens is null && scope.Budget.Options.ClampOutputTokens && TokenCeiling.FieldToAdd(target, request.RequestUri) is { } field
                && TokenCeiling.Insert(body.Span, shape, field, ceiling) is { } inserted)
            {
                TokenCeiling.Replace(request, call, inserted);
                body = inserted;
            }
            else
            {
                continue;
            }

            shape = RequestShape.Read(body.Span);
        }

        // 2. Loops: the same body again and again in one scope.
        ulong? hash = null;
        foreach (var scope in scopes)
        {
            if (scope.Budget.Options.LoopThreshold is not { } threshold)
            {
                continue;
            }

            hash ??= XxHash64.HashToUInt64(body.Span);
            var window = scope.Budget.Options.LoopWindow;
            var key = scope.Key + "|" + hash.Value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
            var count = _sharedCounters && await _store.IncrementAsync("loop|" + key, 1, window, cancellationToken).ConfigureAwait(false) is { } shared
                ? (int)Math.Min(shared, int.MaxValue)
                : Hit(key, now, window);
            if (count == threshold)
            {
                Log.LoopDetected(_logger, scope.Budget.Name, count);
                _alerts.Loop(scope, now - window, now, count);
            }

            if (count >= threshold && scope.Budget.Options.RefuseLoops)
            {
                return new Outcome(new LlmLoopDetectedException(scope.Budget.Name, scope.Values, count), null, model);
            }
        }

        // 3. The worst case, then rate limits and reservations.
        var estimate = _estimator.Estimate(target, body.Span, shape, model);
        var tokens = estimate.InputTokens + estimate.OutputTokens;
        foreach (var scope in scopes)
        {
            if (await RateLimitAsync(scope, tokens, now, cancellationToken).ConfigureAwait(false) is { } limited)
            {
                return new Outcome(limited, null, model);
            }
        }

        BudgetLease.Reservation[]? reservations = null;
        var reserved = 0;
        foreach (var scope in scopes)
        {
            var budget = scope.Budget;
            if (!budget.CountsSpend)
            {
                continue;
            }

            var window = budget.WindowAt(now);
            var id = Guid.CreateVersion7(now).ToString("N");
            var totals = await _store.ReserveAsync(
                new BudgetReservation
                {
                    ScopeKey = scope.Key,
                    Buckets = window.Buckets,
                    Id = id,
                    Cost = estimate.Cost ?? 0m,
                    Tokens = tokens,
                    CostLimit = budget.Enforces ? budget.Options.Limit : null,
                    TokenLimit = budget.Enforces ? budget.Options.TokenLimit : null,
                    Now = now,
                    ExpiresAt = now + _reservationTimeout,
                },
                cancellationToken).ConfigureAwait(false);
            if (!totals.Granted)
            {
                if (reserved > 0)
                {
                    Settle(reservations![..reserved], 0m, 0);
                }

                Track(_alerts.RefusedAsync(scope, window, totals).AsTask());
                return new Outcome(
                    new LlmBudgetExceededException(
                        budget.Name, scope.Values, window.Start, window.End, totals.Spent + totals.Reserved, budget.Options.Limit, estimate.Cost ?? 0m,
                        totals.TokensSpent + totals.TokensReserved, budget.Options.TokenLimit, tokens),
                    null,
                    model);
            }

            (reservations ??= new BudgetLease.Reservation[CountingSpend(scopes)])[reserved++] = new BudgetLease.Reservation(scope, window, id);
        }

        return new Outcome(null, reservations is null ? null : new BudgetLease(this, reservations, estimate), model);
    }

    private static int CountingSpend(BudgetScope[] scopes)
    {
        var count = 0;
        foreach (var scope in scopes)
        {
            if (scope.Budget.CountsSpend)
            {
                count++;
            }
        }

        return count;
    }

    private async ValueTask<LlmRateLimitExceededException?> RateLimitAsync(BudgetScope scope, long tokens, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var options = scope.Budget.Options;
        if (options.RequestsPerWindow is { } requests
            && await AcquireAsync(scope.Key + "|rq", requests, options, 1, now, cancellationToken).ConfigureAwait(false) is { } requestWait)
        {
            return new LlmRateLimitExceededException(scope.Budget.Name, scope.Values, requestWait);
        }

        if (options.TokensPerWindow is { } limit
            && await AcquireAsync(scope.Key + "|tk", limit, options, (int)Math.Min(tokens, limit + 1L), now, cancellationToken).ConfigureAwait(false) is { } tokenWait)
        {
            return new LlmRateLimitExceededException(scope.Budget.Name, scope.Values, tokenWait);
        }

        return null;
    }

    /// <summary>Acquires permits; returns <see langword="null"/> when granted, else the retry-after (zero when unknown).</summary>
    private async ValueTask<TimeSpan?> AcquireAsync(string key, int limit, LlmBudgetOptions options, int permits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (permits > limit)
        {
            return options.RateLimitWindow;
        }

        if (_sharedCounters && options.RateLimitQueue == 0)
        {
            var (counted, sharedRetryAfter) = await SharedAcquireAsync(key, limit, options.RateLimitWindow, permits, now, cancellationToken).ConfigureAwait(false);
            if (counted)
            {
                return sharedRetryAfter;
            }
        }

        if (_limiters.Count >= MaxScopes && !_limiters.ContainsKey(key))
        {
            foreach (var old in _limiters.Values)
            {
                old.Dispose();
            }

            _limiters.Clear();
        }

        var limiter = _limiters.GetOrAdd(key, static (_, o) => new FixedWindowRateLimiter(new FixedWindowRateLimiterOptions
        {
            PermitLimit = o.Limit,
            Window = o.Options.RateLimitWindow,
            QueueLimit = o.Options.RateLimitQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }), (Limit: limit, Options: options));
        using var lease = options.RateLimitQueue > 0
            ? await limiter.AcquireAsync(permits, cancellationToken).ConfigureAwait(false)
            : limiter.AttemptAcquire(permits);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.RateLimitWindow;
    }

    /// <summary>
    /// Counts permits in the store's counter of the fixed window around <paramref name="now"/> (windows aligned to multiples
    /// of their length since the Unix epoch), shared by every instance that uses the store. Permits over the limit are
    /// taken back, so refused calls do not use the window up.
    /// </summary>
    /// <returns>Whether the store counted them (it keeps counters and was reachable), and the retry-after when refused.</returns>
    private async ValueTask<(bool Counted, TimeSpan? RetryAfter)> SharedAcquireAsync(string key, int limit, TimeSpan window, int permits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var index = now.UtcTicks / window.Ticks;
        var end = new DateTimeOffset((index + 1) * window.Ticks, TimeSpan.Zero);
        var counter = key + "|" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var lifetime = end - now + window;
        if (await _store.IncrementAsync(counter, permits, lifetime, cancellationToken).ConfigureAwait(false) is not { } count)
        {
            return (false, null);
        }

        if (count <= limit)
        {
            return (true, null);
        }

        await _store.IncrementAsync(counter, -permits, lifetime, cancellationToken).ConfigureAwait(false);
        return (true, end - now);
    }

    private int Hit(string key, DateTimeOffset now, TimeSpan window)
    {
        if (_loops.Count >= MaxScopes && !_loops.ContainsKey(key))
        {
            foreach (var (k, old) in _loops)
            {
                if (old.Start + window < now)
                {
                    _loops.TryRemove(k, out _);
                }
            }

            if (_loops.Count >= MaxScopes)
            {
                _loops.Clear();
            }
        }

        var counter = _loops.GetOrAdd(key, static (_, t) => new LoopCounter(t), now);
        lock (counter)
        {
            if (counter.Start + window <= now)
            {
                counter.Start = now;
                counter.Count = 0;
            }

            return ++counter.Count;
        }
    }

    private sealed class LoopCounter(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; set; } = start;

        public int Count { get; set; }
    }

    /// <summary>What a pre-flight check found: the refusal, or the reservations the call holds; and the model it asks for.</summary>
    private readonly record struct Outcome(LlmGuardrailException? Refusal, BudgetLease? Lease, string? Model);

    /// <summary>The settlement of a call with no pre-flight: its record settles its spend (one instance for every call).</summary>
    private sealed class SpendSettlement(BudgetGuard guard) : IRecordSettlement
    {
        public void Settle(CostRecord record) => guard.SettleSpend(record);
    }
}
