using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace LlmCost.Sdk;

/// <summary>
/// An <see cref="IBudgetStore"/> shared by every instance of an application through Redis: each reserve and settle is
/// one atomic Lua script, spend buckets expire with their window, and a reservation whose instance crashed stops counting
/// at its expiry.
/// </summary>
/// <remarks>
/// <para>
/// When Redis cannot be reached (or answers slower than <see cref="RedisBudgetStoreOptions.OperationTimeout"/>) the call
/// is never failed for it: the store falls back to an <see cref="InMemoryBudgetStore"/> of this instance (fail open, the
/// default; or refuses calls in scope of a hard cap with <see cref="RedisBudgetStoreOptions.FailClosed"/>), logs a
/// warning once per outage and counts each fallback in the <c>llmcost.budget.store.fallbacks</c> metric. It tries Redis
/// again on every operation, so enforcement is shared again as soon as Redis is back; spend recorded locally during the
/// outage is not copied to Redis.
/// </para>
/// <para>Thread-safe. Disposing it closes the connection.</para>
/// </remarks>
public sealed partial class RedisBudgetStore : IBudgetStore, IDisposable, IAsyncDisposable
{
    private const decimal NanosPerDollar = 1_000_000_000m;

    private readonly RedisBudgetStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Counter<long>? _fallbacks;
    private readonly InMemoryBudgetStore _local = new();
    private readonly ConcurrentDictionary<string, byte> _localReservations = new(StringComparer.Ordinal);
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;
    private readonly TimeProvider _time;
    private int _degraded;

    /// <summary>Initializes a new instance of the <see cref="RedisBudgetStore"/> class. Connects on first use.</summary>
    /// <param name="options">The options.</param>
    /// <param name="logger">The logger, or <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>LlmCost.Sdk</c> meter, or <see langword="null"/> for no metrics.</param>
    /// <param name="timeProvider">The clock of alert markers' lifetimes; <see langword="null"/> for the system clock.</param>
    public RedisBudgetStore(RedisBudgetStoreOptions options, ILogger<RedisBudgetStore>? logger = null, IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _fallbacks = meterFactory?.Create(LlmCostTelemetry.MeterName).CreateCounter<long>(
            "llmcost.budget.store.fallbacks", "{operation}", "Budget operations done locally because the Redis budget store was unavailable.");
        _connection = new Lazy<Task<ConnectionMultiplexer>>(ConnectAsync);
    }

    /// <summary>Gets a value indicating whether the store is enforcing locally because Redis is unavailable.</summary>
    public bool IsDegraded => Volatile.Read(ref _degraded) != 0;

    /// <inheritdoc />
    public async ValueTask<BudgetTotals> ReserveAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        try
        {
            var db = await DatabaseAsync().ConfigureAwait(false);
            var keys = new RedisKey[reservation.Buckets.Count + 1];
            keys[0] = Reservations(reservation.ScopeKey);
            for (var i = 0; i < reservation.Buckets.Count; i++)
            {
                keys[i + 1] = Bucket(reservation.ScopeKey, reservation.Buckets[i]);
            }

            var ttl = Math.Max(1000L, (long)(reservation.ExpiresAt - reservation.Now).TotalMilliseconds);
            var result = await db.ScriptEvaluateAsync(
                RedisBudgetScripts.Reserve,
                keys,
                [
                    reservation.Now.ToUnixTimeMilliseconds(),
                    reservation.Id,
                    Nanos(reservation.Cost),
                    reservation.Tokens,
                    reservation.CostLimit is { } limit ? Nanos(limit) : string.Empty,
                    reservation.TokenLimit is { } tokenLimit ? tokenLimit : string.Empty,
                    reservation.ExpiresAt.ToUnixTimeMilliseconds(),
                    ttl,
                ]).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            Recovered();
            return Totals(result);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            Fallback(ex);
            if (_options.FailClosed && (reservation.CostLimit is not null || reservation.TokenLimit is not null))
            {
                return new BudgetTotals { Granted = false };
            }

            _localReservations[reservation.Id] = 0;
            return await _local.ReserveAsync(reservation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<BudgetTotals> SettleAsync(BudgetSettlement settlement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        if (settlement.Id is { } id && _localReservations.TryRemove(id, out _))
        {
            // Reserved while Redis was down: ended where it was made.
            return await _local.SettleAsync(settlement, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var db = await DatabaseAsync().ConfigureAwait(false);
            var n = settlement.AddTo.Count;
            var keys = new RedisKey[1 + n + settlement.Buckets.Count];
            keys[0] = Reservations(settlement.ScopeKey);
            var args = new RedisValue[5 + n];
            args[0] = settlement.Id ?? string.Empty;
            args[1] = Nanos(settlement.Cost);
            args[2] = settlement.Tokens;
            args[3] = n;
            args[4] = settlement.Now.ToUnixTimeMilliseconds();
            for (var i = 0; i < n; i++)
            {
                keys[1 + i] = Bucket(settlement.ScopeKey, settlement.AddTo[i].Name);
                args[5 + i] = Math.Max(1000L, (long)(settlement.AddTo[i].ExpiresAt - settlement.Now).TotalMilliseconds);
            }

            for (var i = 0; i < settlement.Buckets.Count; i++)
            {
                keys[1 + n + i] = Bucket(settlement.ScopeKey, settlement.Buckets[i]);
            }

            var result = await db.ScriptEvaluateAsync(RedisBudgetScripts.Settle, keys, args)
                .WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            Recovered();
            return Totals(result);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            Fallback(ex);
            return await _local.SettleAsync(settlement, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<decimal>> GetSpentAsync(string scopeKey, IReadOnlyList<string> buckets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        try
        {
            var db = await DatabaseAsync().ConfigureAwait(false);
            var reads = new Task<RedisValue>[buckets.Count];
            for (var i = 0; i < reads.Length; i++)
            {
                reads[i] = db.HashGetAsync(Bucket(scopeKey, buckets[i]), "c");
            }

            var values = await Task.WhenAll(reads).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            Recovered();
            return [.. values.Select(v => v.TryParse(out long nanos) ? nanos / NanosPerDollar : 0m)];
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            Fallback(ex);
            return await _local.GetSpentAsync(scopeKey, buckets, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryMarkAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var db = await DatabaseAsync().ConfigureAwait(false);
            var ttl = expiresAt - _time.GetUtcNow();
            var set = await db.StringSetAsync(_options.KeyPrefix + "mark:" + key, 1, ttl > TimeSpan.FromSeconds(1) ? ttl : TimeSpan.FromDays(1), When.NotExists)
                .WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            Recovered();
            return set;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            Fallback(ex);
            return await _local.TryMarkAsync(key, expiresAt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>Shared by every instance (rate limits and loop detection across instances); <see langword="null"/> while
    /// Redis is unavailable, so the caller counts on its own instance meanwhile.</remarks>
    public async ValueTask<long?> IncrementAsync(string key, long amount, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var db = await DatabaseAsync().ConfigureAwait(false);
            var result = await db.ScriptEvaluateAsync(
                RedisBudgetScripts.Increment,
                [_options.KeyPrefix + "n:{" + key + "}"],
                [amount, Math.Max(1000L, (long)lifetime.TotalMilliseconds)]).WaitAsync(_options.OperationTimeout, cancellationToken).ConfigureAwait(false);
            Recovered();
            return (long)result;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            Fallback(ex);
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            _connection.Value.Result.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await _connection.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static BudgetTotals Totals(RedisResult result)
    {
        var values = (RedisResult[])result!;
        return new BudgetTotals
        {
            Granted = (long)values[0] == 1,
            Spent = long.Parse((string)values[1]!, CultureInfo.InvariantCulture) / NanosPerDollar,
            Reserved = long.Parse((string)values[2]!, CultureInfo.InvariantCulture) / NanosPerDollar,
            TokensSpent = long.Parse((string)values[3]!, CultureInfo.InvariantCulture),
            TokensReserved = long.Parse((string)values[4]!, CultureInfo.InvariantCulture),
        };
    }

    private static long Nanos(decimal dollars) => (long)decimal.Round(dollars * NanosPerDollar, MidpointRounding.AwayFromZero);

    /// <summary>Redis's side of the failure: unreachable, too slow, or an error it returned. The caller's own cancellation is not.</summary>
    private static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && exception is RedisException or TimeoutException or ObjectDisposedException or System.Net.Sockets.SocketException;

    private RedisKey Reservations(string scopeKey) => _options.KeyPrefix + "{" + scopeKey + "}:res";

    private RedisKey Bucket(string scopeKey, string bucket) => _options.KeyPrefix + "{" + scopeKey + "}:b:" + bucket;

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var configuration = ConfigurationOptions.Parse(_options.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        var timeout = (int)Math.Clamp(_options.OperationTimeout.TotalMilliseconds, 1, int.MaxValue);
        configuration.AsyncTimeout = timeout;
        configuration.SyncTimeout = timeout;
        configuration.ConnectTimeout = Math.Max(timeout, 1000);
        return await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
    }

    private async Task<IDatabase> DatabaseAsync() => (await _connection.Value.ConfigureAwait(false)).GetDatabase();

    private void Fallback(Exception exception)
    {
        _fallbacks?.Add(1);
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            LogUnavailable(_logger, _options.FailClosed ? "refusing calls in scope of a hard cap" : "enforcing budgets locally", exception);
        }
    }

    private void Recovered()
    {
        if (Volatile.Read(ref _degraded) != 0 && Interlocked.Exchange(ref _degraded, 0) != 0)
        {
            LogRecovered(_logger);
        }
    }

    [LoggerMessage(420, LogLevel.Warning, "The Redis budget store is unavailable; {Mode} until it is back. LLM calls are not failed for it.")]
    private static partial void LogUnavailable(ILogger logger, string mode, Exception exception);

    [LoggerMessage(421, LogLevel.Information, "The Redis budget store is available again; budgets are shared across instances again.")]
    private static partial void LogRecovered(ILogger logger);
}
