using System.Collections.Concurrent;

namespace LlmCost.Sdk;

/// <summary>
/// The default <see cref="IBudgetStore"/>: budgets of one instance, in memory. Each scope has its own lock; expired
/// buckets, reservations and markers are removed as scopes are used, and idle scopes are swept periodically.
/// </summary>
/// <remarks>Thread-safe; every operation completes synchronously and never throws for valid input.</remarks>
public sealed class InMemoryBudgetStore : IBudgetStore
{
    private const int SweepEvery = 4096;

    private readonly ConcurrentDictionary<string, Scope> _scopes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _marks = new(StringComparer.Ordinal);
    private int _operations;

    /// <inheritdoc />
    public ValueTask<BudgetTotals> ReserveAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        var scope = GetScope(reservation.ScopeKey, reservation.Now);
        lock (scope)
        {
            scope.Purge(reservation.Now);
            var totals = scope.Sum(reservation.Buckets);
            var granted = (reservation.CostLimit is not { } limit || totals.Spent + totals.Reserved + reservation.Cost <= limit)
                && (reservation.TokenLimit is not { } tokenLimit || totals.TokensSpent + totals.TokensReserved + reservation.Tokens <= tokenLimit);
            if (granted)
            {
                scope.Reservations[reservation.Id] = new Reservation(reservation.Cost, reservation.Tokens, reservation.ExpiresAt);
                if (reservation.ExpiresAt > scope.LastUse)
                {
                    scope.LastUse = reservation.ExpiresAt;
                }
            }

            return new ValueTask<BudgetTotals>(totals.ToTotals(granted));
        }
    }

    /// <inheritdoc />
    public ValueTask<BudgetTotals> SettleAsync(BudgetSettlement settlement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        var scope = GetScope(settlement.ScopeKey, settlement.Now);
        lock (scope)
        {
            if (settlement.Id is not null)
            {
                scope.Reservations.Remove(settlement.Id);
            }

            foreach (var bucket in settlement.AddTo)
            {
                var current = scope.Buckets.TryGetValue(bucket.Name, out var b) ? b : default;
                scope.Buckets[bucket.Name] = new Bucket(current.Cost + settlement.Cost, current.Tokens + settlement.Tokens, bucket.ExpiresAt);
                if (bucket.ExpiresAt > scope.LastUse)
                {
                    scope.LastUse = bucket.ExpiresAt;
                }
            }

            scope.Purge(settlement.Now);
            return new ValueTask<BudgetTotals>(scope.Sum(settlement.Buckets).ToTotals(granted: true));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<decimal>> GetSpentAsync(string scopeKey, IReadOnlyList<string> buckets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var spent = new decimal[buckets.Count];
        if (_scopes.TryGetValue(scopeKey, out var scope))
        {
            lock (scope)
            {
                for (var i = 0; i < spent.Length; i++)
                {
                    spent[i] = scope.Buckets.TryGetValue(buckets[i], out var b) ? b.Cost : 0m;
                }
            }
        }

        return new ValueTask<IReadOnlyList<decimal>>(spent);
    }

    /// <inheritdoc />
    public ValueTask<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new ValueTask<bool>(_marks.TryAdd(key, expiresAt));
    }

    private Scope GetScope(string key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Interlocked.Increment(ref _operations) % SweepEvery == 0)
        {
            Sweep(now);
        }

        return _scopes.GetOrAdd(key, static _ => new Scope());
    }

    /// <summary>Forgets scopes whose buckets and reservations have all expired, and expired markers.</summary>
    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, scope) in _scopes)
        {
            lock (scope)
            {
                if (scope.LastUse < now)
                {
                    _scopes.TryRemove(key, out _);
                }
            }
        }

        foreach (var (key, expiresAt) in _marks)
        {
            if (expiresAt < now)
            {
                _marks.TryRemove(key, out _);
            }
        }
    }

    private readonly record struct Bucket(decimal Cost, long Tokens, DateTimeOffset ExpiresAt);

    private readonly record struct Reservation(decimal Cost, long Tokens, DateTimeOffset ExpiresAt);

    private sealed class Scope
    {
        public Dictionary<string, Bucket> Buckets { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Reservation> Reservations { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset LastUse { get; set; }

        public void Purge(DateTimeOffset now)
        {
            foreach (var (id, r) in Reservations)
            {
                if (r.ExpiresAt <= now)
                {
                    Reservations.Remove(id);
                }
            }

            foreach (var (name, b) in Buckets)
            {
                if (b.ExpiresAt <= now)
                {
                    Buckets.Remove(name);
                }
            }
        }

        public Sums Sum(IReadOnlyList<string> window)
        {
            decimal spent = 0, reserved = 0;
            long tokens = 0, tokensReserved = 0;
            for (var i = 0; i < window.Count; i++)
            {
                if (Buckets.TryGetValue(window[i], out var b))
                {
                    spent += b.Cost;
                    tokens += b.Tokens;
                }
            }

            foreach (var r in Reservations.Values)
            {
                reserved += r.Cost;
                tokensReserved += r.Tokens;
            }

            return new Sums(spent, reserved, tokens, tokensReserved);
        }
    }

    private readonly record struct Sums(decimal Spent, decimal Reserved, long TokensSpent, long TokensReserved)
    {
        public BudgetTotals ToTotals(bool granted) =>
            new() { Granted = granted, Spent = Spent, Reserved = Reserved, TokensSpent = TokensSpent, TokensReserved = TokensReserved };
    }
}
