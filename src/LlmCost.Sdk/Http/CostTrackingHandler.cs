using System.Diagnostics;

namespace LlmCost.Sdk;

/// <summary>
/// The <see cref="DelegatingHandler"/> that tracks LLM calls: it attributes each call, lets the response bytes pass
/// through untouched while their usage is read, and records the call when the body ends, is disposed or fails.
/// </summary>
/// <remarks>
/// Calls that are not LLM calls (other hosts, other paths, GET requests) go straight to the inner handler.
/// Nothing the SDK does throws into the call: exceptions seen are the inner handler's, unchanged.
/// </remarks>
internal sealed class CostTrackingHandler : DelegatingHandler
{
    private readonly HttpCallTracker _recorder;
    private readonly LlmCostTags _clientDefaults;
    private readonly string? _provider;

    public CostTrackingHandler(HttpCallTracker recorder, LlmCostTags clientDefaults, string? provider)
    {
        _recorder = recorder;
        _clientDefaults = recorder.Attribution.WithDefaults(clientDefaults);
        _provider = provider;
    }

    /// <summary>Gets the tracker (for the guardrails' outermost handler, <see cref="GuardrailHandler"/>).</summary>
    internal HttpCallTracker Tracker => _recorder;

    /// <summary>Gets the client's default tags, combined with the options' defaults.</summary>
    internal LlmCostTags ClientDefaults => _clientDefaults;

    /// <summary>Gets the provider the client is pinned to, if any.</summary>
    internal string? Provider => _provider;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var parent = Activity.Current;
        var call = Begin(request);
        if (call is null)
        {
            return base.SendAsync(request, cancellationToken);
        }

        try
        {
            // Guardrails: budgets, ceilings, rate limits and loops are checked before any byte is sent (they may refuse).
            if (_recorder.Guardrails is { } guard && guard.Prepare(call, request))
            {
                return SendGuardedAsync(request, call, guard, cancellationToken);
            }

            return SendTrackedAsync(request, call, cancellationToken);
        }
        finally
        {
            // The SDK's span is current for the send (the HTTP span becomes its child), not for the app's code after it.
            RestoreCurrent(call, parent);
        }
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var parent = Activity.Current;
        var call = Begin(request);
        if (call is null)
        {
            return base.Send(request, cancellationToken);
        }

        HttpResponseMessage response;
        try
        {
            // Guardrails (sync path): an in-memory store completes synchronously; a distributed one blocks this sync call only.
            if (_recorder.Guardrails is { } guard && guard.Prepare(call, request))
            {
                guard.PreflightAsync(request, call, cancellationToken).GetAwaiter().GetResult();
            }

            response = base.Send(request, cancellationToken);
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            throw;
        }
        finally
        {
            RestoreCurrent(call, parent);
        }

        Observe(response, call);
        return response;
    }

    private Task<HttpResponseMessage> SendTrackedAsync(HttpRequestMessage request, CallObservation call, CancellationToken cancellationToken)
    {
        Task<HttpResponseMessage> pending;
        try
        {
            pending = base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            // The response is observed in place (its content is replaced), so the inner task itself carries it: no state
            // machine and no second task when the inner handler answered synchronously.
            Observe(pending.Result, call);
            return pending;
        }

        return AwaitTrackedAsync(pending, call);
    }

    private async Task<HttpResponseMessage> AwaitTrackedAsync(Task<HttpResponseMessage> pending, CallObservation call)
    {
        HttpResponseMessage response;
        try
        {
            response = await pending.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            throw;
        }

        Observe(response, call);
        return response;
    }

    private async Task<HttpResponseMessage> SendGuardedAsync(HttpRequestMessage request, CallObservation call, BudgetGuard guard, CancellationToken cancellationToken)
    {
        await guard.PreflightAsync(request, call, cancellationToken).ConfigureAwait(false);
        return await SendTrackedAsync(request, call, cancellationToken).ConfigureAwait(false);
    }

    private static void RestoreCurrent(CallObservation call, Activity? parent)
    {
        if (call.Span is not null && !ReferenceEquals(Activity.Current, parent))
        {
            Activity.Current = parent;
        }
    }

    private CallObservation? Begin(HttpRequestMessage request)
    {
        try
        {
            return _recorder.TryBegin(request, _clientDefaults, _provider);
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
            return null;
        }
    }

    private void Observe(HttpResponseMessage response, CallObservation call)
    {
        try
        {
            call.OnResponse(response);
            response.Content = new ObservedResponseContent(response.Content, call);
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
            call.Finish(endOfBody: false);
        }
    }
}
