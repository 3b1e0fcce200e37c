namespace LlmCost.Sdk;

/// <summary>
/// The reservations one call made in its budgets' scopes, settled once to the real cost of what was sent.
/// </summary>
/// <remarks>
/// Made by the tracking handler's own check, the call's record settles it (<see cref="Settle"/>). Made by the guardrails'
/// outermost handler (<see cref="GuardrailHandler"/>), each attempt the handlers inside it make (a Polly or
/// Http.Resilience retry of a 429 or 500) joins it (<see cref="Attach"/>) and adds its record's cost, and it settles once
/// when the outer send is over (<see cref="Complete"/>) and every attempt's record is made: one reservation, settled to
/// the sum of the attempts' real costs, never twice.
/// </remarks>
internal sealed class BudgetLease : IRecordSettlement
{
    private readonly BudgetGuard _guard;
    private readonly Reservation[] _reservations;
    private readonly LlmCostEstimate _estimate;

    /// <summary>The owner (the call, or the outer send) and each attempt not yet recorded; settled when it reaches zero.</summary>
    private int _holders = 1;
    private int _ownerDone;
    private decimal _cost;
    private long _tokens;

    public BudgetLease(BudgetGuard guard, Reservation[] reservations, LlmCostEstimate estimate)
    {
        _guard = guard;
        _reservations = reservations;
        _estimate = estimate;
    }

    /// <summary>Settles to the cost of the call that made it (the tracking handler's own check: one call, one record).</summary>
    public void Settle(CostRecord record)
    {
        if (Interlocked.Exchange(ref _ownerDone, 1) != 0)
        {
            return;
        }

        Add(record);
        Release();
    }

    /// <summary>
    /// Joins one attempt sent under this reservation; its record adds its cost. Returns <see langword="null"/> when the
    /// reservation is settled already (an attempt that began after the outer send was over, such as a late hedge).
    /// </summary>
    public IRecordSettlement? Attach()
    {
        var holders = Volatile.Read(ref _holders);
        while (holders > 0)
        {
            var seen = Interlocked.CompareExchange(ref _holders, holders + 1, holders);
            if (seen == holders)
            {
                return new Attempt(this);
            }

            holders = seen;
        }

        return null;
    }

    /// <summary>The outer send is over (answered or failed): the reservation settles when the last attempt's record is made.</summary>
    public void Complete()
    {
        if (Interlocked.Exchange(ref _ownerDone, 1) == 0)
        {
            Release();
        }
    }

    private void Add(CostRecord record)
    {
        // A successful call whose cost is unknown keeps its worst-case estimate; a failed one without usage cost nothing.
        var known = record.Cost is not null || record.ErrorType is not null;
        var cost = record.Cost?.Total ?? (known ? 0m : _estimate.Cost ?? 0m);
        var tokens = record.Usage.Source != UsageSource.None
            ? record.Usage.InputTokens + record.Usage.OutputTokens
            : record.ErrorType is null ? _estimate.InputTokens + _estimate.OutputTokens : 0;
        lock (_reservations)
        {
            _cost += cost;
            _tokens += tokens;
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) != 0)
        {
            return;
        }

        decimal cost;
        long tokens;
        lock (_reservations)
        {
            (cost, tokens) = (_cost, _tokens);
        }

        _guard.Settle(_reservations, cost, tokens);
    }

    /// <summary>One reservation: the scope, its window when the call started, and the id (<see langword="null"/> when the call's spend is settled with nothing reserved).</summary>
    internal sealed record Reservation(BudgetScope Scope, BudgetWindow Window, string? Id);

    /// <summary>One attempt under the reservation: its record adds its cost, once.</summary>
    private sealed class Attempt(BudgetLease lease) : IRecordSettlement
    {
        private int _settled;

        public void Settle(CostRecord record)
        {
            if (Interlocked.Exchange(ref _settled, 1) == 0)
            {
                lease.Add(record);
                lease.Release();
            }
        }
    }
}
