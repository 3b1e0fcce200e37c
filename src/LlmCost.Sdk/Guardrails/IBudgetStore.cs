namespace LlmCost.Sdk;

/// <summary>
/// Where budgets keep their spend and the reservations of calls in flight: in memory for one instance
/// (<see cref="InMemoryBudgetStore"/>, the default), or shared by many (the <c>LlmCost.Sdk.Redis</c> package).
/// </summary>
/// <remarks>
/// <para>
/// A scope (<see cref="BudgetReservation.ScopeKey"/>: a budget and its values for <c>*</c> fields) has spend buckets
/// (one per calendar window, or one per slice of a rolling window) and a set of reservations. Each operation on one scope
/// must be atomic: a reservation is granted only when the spend of the window's buckets plus the live reservations plus
/// the new one stays within the limit, so concurrent calls cannot overshoot a cap by more than the estimates in flight.
/// </para>
/// <para>
/// Reservations that are never settled (an instance that crashed mid-call) stop counting at their
/// <see cref="BudgetReservation.ExpiresAt"/>. Buckets may be deleted after their <see cref="BudgetBucket.ExpiresAt"/>.
/// Implementations are thread-safe; they should not throw for an unavailable backend when they can fall back.
/// </para>
/// </remarks>
public interface IBudgetStore
{
    /// <summary>Reserves a call's estimate in a scope, if the limits allow it.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">The call's cancellation token.</param>
    /// <returns>Whether it was granted, and the window's totals before it.</returns>
    ValueTask<BudgetTotals> ReserveAsync(BudgetReservation reservation, CancellationToken cancellationToken = default);

    /// <summary>Ends a reservation and adds the call's real cost and tokens to buckets; idempotent per reservation id.</summary>
    /// <param name="settlement">The settlement.</param>
    /// <param name="cancellationToken">A cancellation token.</param>
    /// <returns>The window's totals after it.</returns>
    ValueTask<BudgetTotals> SettleAsync(BudgetSettlement settlement, CancellationToken cancellationToken = default);

    /// <summary>Reads the spend of buckets of a scope, in the order given (zero for a bucket that does not exist).</summary>
    /// <param name="scopeKey">The scope.</param>
    /// <param name="buckets">The buckets.</param>
    /// <param name="cancellationToken">A cancellation token.</param>
    /// <returns>The spend of each bucket in USD.</returns>
    ValueTask<IReadOnlyList<decimal>> GetSpentAsync(string scopeKey, IReadOnlyList<string> buckets, CancellationToken cancellationToken = default);

    /// <summary>Sets a marker once (so an alert fires once across instances); <see langword="true"/> only for the caller that set it.</summary>
    /// <param name="key">The marker.</param>
    /// <param name="expiresAt">When the marker may be forgotten.</param>
    /// <param name="cancellationToken">A cancellation token.</param>
    /// <returns><see langword="true"/> when this call set the marker.</returns>
    ValueTask<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds to a counter shared like the store's spend (a rate limit's window, the repeats of one request body in a scope)
    /// and returns its new value; or <see langword="null"/> when the store keeps no counters (or cannot reach them now), so
    /// rate limits and loop detection count on this instance.
    /// </summary>
    /// <param name="key">The counter.</param>
    /// <param name="amount">What to add (negative to take back).</param>
    /// <param name="lifetime">How long after the add that creates it the counter may be forgotten.</param>
    /// <param name="cancellationToken">The call's cancellation token.</param>
    /// <returns>The counter's value after the add, or <see langword="null"/> (the default implementation).</returns>
    /// <remarks>
    /// The default implementation returns <see langword="null"/>: <see cref="InMemoryBudgetStore"/> keeps none (the
    /// instance's own <c>System.Threading.RateLimiting</c> limiters count, with queueing); the Redis store keeps them
    /// (one <c>INCRBY</c> with expiry per call and limit).
    /// </remarks>
    ValueTask<long?> IncrementAsync(string key, long amount, TimeSpan lifetime, CancellationToken cancellationToken = default) => new((long?)null);
}
