using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace LlmCost.Sdk.Redis.Tests;

/// <summary>The Redis store against a real redis-server: atomic reserve and settle, expiring keys and reservations, outages.</summary>
public sealed class RedisBudgetStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ReserveSettle_TotalsAndLimit()
    {
        await using var redis = await RedisServer.GetAsync();
        await using var store = Store(redis.Endpoint, out _);

        var first = await store.ReserveAsync(Reservation("r1", 0.6m, limit: 1m));
        var second = await store.ReserveAsync(Reservation("r2", 0.6m, limit: 1m));
        Assert.True(first.Granted);
        Assert.False(second.Granted);
        Assert.Equal(0.6m, second.Reserved);

        var settled = await store.SettleAsync(Settlement("r1", 0.123456789m));
        Assert.Equal(0.123456789m, settled.Spent);
        Assert.Equal(0m, settled.Reserved);
        Assert.Equal(2000, settled.TokensSpent);

        Assert.True((await store.ReserveAsync(Reservation("r3", 0.8m, limit: 1m))).Granted);
        Assert.Equal([0.123456789m, 0m], await store.GetSpentAsync("scope", ["d1", "missing"]));
        Assert.False(store.IsDegraded);
    }

    [Fact]
    public async Task Keys_ExpireWithTheirWindow()
    {
        await using var redis = await RedisServer.GetAsync();
        await using var store = Store(redis.Endpoint, out var prefix);
        await store.ReserveAsync(Reservation("r1", 0.1m, limit: null));
        await store.SettleAsync(Settlement("r1", 0.1m, bucketExpiresAt: Now.AddHours(3)));
        await store.ReserveAsync(Reservation("in-flight", 0.1m, limit: null));

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
        var db = connection.GetDatabase();
        var bucketTtl = await db.KeyTimeToLiveAsync(prefix + "{scope}:b:d1");
        Assert.InRange(bucketTtl!.Value, TimeSpan.FromHours(2.9), TimeSpan.FromHours(3));
        var reservationsTtl = await db.KeyTimeToLiveAsync(prefix + "{scope}:res");
        Assert.InRange(reservationsTtl!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Reservation_OfCrashedInstance_StopsCountingAtItsExpiry()
    {
        await using var redis = await RedisServer.GetAsync();
        await using var crashed = Store(redis.Endpoint, out var prefix);
        Assert.True((await crashed.ReserveAsync(Reservation("lost", 0.9m, limit: 1m))).Granted); // never settled

        await using var other = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, KeyPrefix = prefix });
        Assert.False((await other.ReserveAsync(Reservation("r2", 0.5m, limit: 1m))).Granted);

        // Ten minutes later (the reservation's expiry) the crashed instance's reservation no longer counts.
        var later = Reservation("r3", 0.5m, limit: 1m) with { Now = Now.AddMinutes(10), ExpiresAt = Now.AddMinutes(20) };
        var totals = await other.ReserveAsync(later);
        Assert.True(totals.Granted);
        Assert.Equal(0m, totals.Reserved);
    }

    [Fact]
    public async Task Outage_FallsBackLocallyThenRecovers()
    {
        await using var redis = await RedisServer.StartOwnAsync();
        await using var store = Store(redis.Endpoint, out _);
        Assert.True((await store.ReserveAsync(Reservation("r1", 0.1m, limit: 1m))).Granted);

        await redis.StopAsync();
        var during = await store.ReserveAsync(Reservation("r2", 0.1m, limit: 1m));
        Assert.True(during.Granted); // fail open: enforced locally
        Assert.True(store.IsDegraded);
        await store.SettleAsync(Settlement("r2", 0.1m));

        await redis.StartAsync();
        var after = await WaitForRedisAsync(() => store.ReserveAsync(Reservation("r3", 0.1m, limit: 1m)).AsTask(), store);
        Assert.True(after.Granted);
        Assert.False(store.IsDegraded);
    }

    [Fact]
    public async Task Outage_FailClosed_RefusesCapsOnly()
    {
        await using var redis = await RedisServer.StartOwnAsync();
        await using var store = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, KeyPrefix = Prefix(), FailClosed = true });
        Assert.True((await store.ReserveAsync(Reservation("r1", 0.1m, limit: 1m))).Granted);
        await redis.StopAsync();

        Assert.False((await store.ReserveAsync(Reservation("r2", 0.1m, limit: 1m))).Granted);
        Assert.True((await store.ReserveAsync(Reservation("r3", 0.1m, limit: null))).Granted);
    }

    [Fact]
    public async Task TryMark_OncePerKeyAcrossInstances()
    {
        await using var redis = await RedisServer.GetAsync();
        await using var one = Store(redis.Endpoint, out var prefix);
        await using var two = new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = redis.Endpoint, KeyPrefix = prefix }, timeProvider: new FakeTimeProvider(Now));

        Assert.True(await one.TryMarkAsync("alert", Now.AddHours(1)));
        Assert.False(await two.TryMarkAsync("alert", Now.AddHours(1)));
    }

    internal static string Prefix() => "llmcost-test:" + Guid.NewGuid().ToString("N") + ":";

    /// <summary>Tries an operation until the store reaches Redis again (it reconnects in the background), up to 10 s.</summary>
    private static async Task<BudgetTotals> WaitForRedisAsync(Func<Task<BudgetTotals>> operation, RedisBudgetStore store)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var result = await operation();
            if (!store.IsDegraded)
            {
                return result;
            }

            await Task.Delay(50, cts.Token);
        }
    }

    private static RedisBudgetStore Store(string endpoint, out string prefix)
    {
        prefix = Prefix();
        return new RedisBudgetStore(new RedisBudgetStoreOptions { Configuration = endpoint, KeyPrefix = prefix }, timeProvider: new FakeTimeProvider(Now));
    }

    private static BudgetReservation Reservation(string id, decimal cost, decimal? limit) => new()
    {
        ScopeKey = "scope",
        Buckets = ["d1"],
        Id = id,
        Cost = cost,
        Tokens = 1000,
        CostLimit = limit,
        Now = Now,
        ExpiresAt = Now.AddMinutes(10),
    };

    private static BudgetSettlement Settlement(string id, decimal cost, DateTimeOffset? bucketExpiresAt = null) => new()
    {
        ScopeKey = "scope",
        Id = id,
        Buckets = ["d1"],
        AddTo = [new BudgetBucket("d1", bucketExpiresAt ?? Now.AddDays(1))],
        Cost = cost,
        Tokens = 2000,
        Now = Now,
    };
}
