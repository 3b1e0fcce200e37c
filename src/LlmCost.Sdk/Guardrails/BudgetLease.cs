namespace LlmCost.Sdk;

/// <summary>The reservations one call made in its budgets' scopes, settled to the real cost when its record is made.</summary>
internal sealed class BudgetLease : IRecordSettlement
{
    private readonly BudgetGuard _guard;
    private readonly Reservation[] _reservations;
    private readonly LlmCostEstimate _estimate;
    private int _settled;

    public BudgetLease(BudgetGuard guard, Reservation[] reservations, LlmCostEstimate estimate)
    {
        _guard = guard;
        _reservations = reservations;
        _estimate = estimate;
    }

    public void Settle(CostRecord record)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        // A successful call whose cost is unknown keeps its worst-case estimate; a failed one without usage cost nothing.
        var known = record.Cost is not null || record.ErrorType is not null;
        var cost = record.Cost?.Total ?? (known ? 0m : _estimate.Cost ?? 0m);
        var tokens = record.Usage.Source != UsageSource.None
            ? record.Usage.InputTokens + record.Usage.OutputTokens
            : record.ErrorType is null ? _estimate.InputTokens + _estimate.OutputTokens : 0;
        _guard.Settle(_reservations, cost, tokens);
    }

    /// <summary>Releases the reservations of a call that is not sent after all (a later guardrail refused it).</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0)
        {
            _guard.Settle(_reservations, 0m, 0);
        }
    }

    /// <summary>One reservation: the scope, its window when the call started, and the id (<see langword="null"/> when the call's spend is settled with nothing reserved).</summary>
    internal sealed record Reservation(BudgetScope Scope, BudgetWindow Window, string? Id);
}
