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
                scope.Reserve(reservation.Id, new Reservation(reservation.Cost, reservation.Tokens, reservation.ExpiresAt));
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
                scope.Unreserve(settlement.Id);
            }

            foreach (var bucket in settlement.AddTo)
            {
                var current = scope.Buckets.TryGetValue(bucket.Name, out var b) ? b : default;
                scope.SetBucket(bucket.Name, new Bucket(current.Cost + settlement.Cost, current.Tokens + settlement.Tokens, bucket.ExpiresAt));
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

    /// <summary>
    /// One scope's buckets and live reservations. The reservations' sums are kept as they change, and expired entries are
    /// looked for only once the earliest of them is due: a reservation or a settlement costs the same with one call in
    /// flight or thousands (settlements lag on the pump under load; walking every live reservation on each call did not).
    /// </summary>
    private sealed class Scope
    {
        private decimal _reserved;
        private long _tokensReserved;
        private DateTimeOffset _nextReservationExpiry = DateTimeOffset.MaxValue;
        private DateTimeOffset _nextBucketExpiry = DateTimeOffset.MaxValue;

        public Dictionary<string, Bucket> Buckets { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Reservation> Reservations { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset LastUse { get; set; }

        public void Reserve(string id, Reservation reservation)
        {
            Unreserve(id);
            Reservations[id] = reservation;
            _reserved += reservation.Cost;
            _tokensReserved += reservation.Tokens;
            if (reservation.ExpiresAt < _nextReservationExpiry)
            {
                _nextReservationExpiry = reservation.ExpiresAt;
            }
        }

        public void Unreserve(string id)
        {
            if (Reservations.Remove(id, out var removed))
            {
                _reserved -= removed.Cost;
                _tokensReserved -= removed.Tokens;
                if (Reservations.Count == 0)
                {
                    (_reserved, _tokensReserved, _nextReservationExpiry) = (0m, 0, DateTimeOffset.MaxValue);
                }
            }
        }

        public void SetBucket(string name, Bucket bucket)
        {
            Buckets[name] = bucket;
            if (bucket.ExpiresAt < _nextBucketExpiry)
            {
                _nextBucketExpiry = bucket.ExpiresAt;
            }
        }

        public void Purge(DateTimeOffset now)
        {
            if (_nextReservationExpiry <= now)
            {
                var next = DateTimeOffset.MaxValue;
                foreach (var (id, r) in Reservations)
                {
                    if (r.ExpiresAt <= now)
                    {
                        Unreserve(id);
                    }
                    else if (r.ExpiresAt < next)
                    {
                        next = r.ExpiresAt;
                    }
                }

                _nextReservationExpiry = next;
            }

            if (_nextBucketExpiry <= now)
            {
                var next = DateTimeOffset.MaxValue;
                foreach (var (name, b) in Buckets)
                {
                    if (b.ExpiresAt <= now)
                    {
                        Buckets.Remove(name);
                    }
                    else if (b.ExpiresAt < next)
                    {
                        next = b.ExpiresAt;
                    }
                }

                _nextBucketExpiry = next;
            }
        }

        public Sums Sum(IReadOnlyList<string> window)
        {
            decimal spent = 0;
            long tokens = 0;
            for (var i = 0; i < window.Count; i++)
            {
                if (Buckets.TryGetValue(window[i], out var b))
                {
                    spent += b.Cost;
                    tokens += b.Tokens;
                }
            }

            return new Sums(spent, _reserved, tokens, _tokensReserved);
        }
    }

    private readonly record struct Sums(decimal Spent, decimal Reserved, long TokensSpent, long TokensReserved)
    {
        public BudgetTotals ToTotals(bool granted) =>
            new() { Granted = granted, Spent = Spent, Reserved = Reserved, TokensSpent = TokensSpent, TokensReserved = TokensReserved };
    }
}
