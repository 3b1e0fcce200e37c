using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Redis.Tests;

/// <summary>
/// With the Redis store, rate limits and loop detection count across instances: two app instances (service providers)
/// share one limit of requests per window and one loop count, against a real redis-server.
/// </summary>
public sealed class RedisSharedLimitsTests
{
    /// <summary>Mid-window, so the fixed 10-minute window cannot roll over during the test.</summary>
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 4, 0, TimeSpan.Zero);

    [Fact]
    public async Task RequestsPerWindow_TwoInstances_ShareOneLimit()
    {
        await using var redis = await RedisServer.GetAsync();
        var prefix = RedisBudgetStoreTests.Prefix();
        var time = new FakeTimeProvider(Now);
        void Budget(LlmBudgetOptions o)
        {
            o.RequestsPerWindow = 3;
            o.RateLimitWindow = TimeSpan.FromMinutes(10);
        }

        await using var a = RedisHost.Create(redis.Endpoint, prefix, Budget, Patient, time: time);
        await using var b = RedisHost.Create(redis.Endpoint, prefix, Budget, Patient, time: time);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        await RedisHost.SendAsync(clientA);
        await RedisHost.SendAsync(clientA);
        await RedisHost.SendAsync(clientB);
        var refused = await Assert.ThrowsAsync<LlmRateLimitExceededException>(() => RedisHost.SendAsync(clientB));
        await Assert.ThrowsAsync<LlmRateLimitExceededException>(() => RedisHost.SendAsync(clientA));

        Assert.Equal(3, a.Provider.Requests + b.Provider.Requests);
        Assert.Equal(TimeSpan.FromMinutes(6), refused.RetryAfter); // to the end of the 12:00–12:10 window
        Assert.False(a.Store.IsDegraded);

        // The next window starts afresh, on either instance.
        time.Advance(TimeSpan.FromMinutes(6));
        await RedisHost.SendAsync(clientB);
        Assert.Equal(4, a.Provider.Requests + b.Provider.Requests);
    }

    [Fact]
    public async Task LoopDetection_SameBodyOnTwoInstances_CountedTogether()
    {
        await using var redis = await RedisServer.GetAsync();
        var prefix = RedisBudgetStoreTests.Prefix();
        var time = new FakeTimeProvider(Now);
        void Budget(LlmBudgetOptions o)
        {
            o.LoopThreshold = 3;
            o.LoopWindow = TimeSpan.FromMinutes(5);
            o.RefuseLoops = true;
        }

        await using var a = RedisHost.Create(redis.Endpoint, prefix, Budget, Patient, time: time);
        await using var b = RedisHost.Create(redis.Endpoint, prefix, Budget, Patient, time: time);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        await RedisHost.SendAsync(clientA);
        await RedisHost.SendAsync(clientB);
        var loop = await Assert.ThrowsAsync<LlmLoopDetectedException>(() => RedisHost.SendAsync(clientA));

        Assert.Equal(3, loop.Count);
        Assert.Equal(2, a.Provider.Requests + b.Provider.Requests);
    }

    [Fact]
    public async Task RequestsPerWindow_RedisUnreachable_CountsOnTheInstance()
    {
        // Nothing listens on port 1: every counter operation falls back, and the instance's own limiter counts.
        await using var host = RedisHost.Create("127.0.0.1:1", RedisBudgetStoreTests.Prefix(), o =>
        {
            o.RequestsPerWindow = 2;
            o.RateLimitWindow = TimeSpan.FromMinutes(10);
        }, store: o => o.OperationTimeout = TimeSpan.FromMilliseconds(200), time: new FakeTimeProvider(Now));
        using var client = host.CreateClient();

        await RedisHost.SendAsync(client);
        await RedisHost.SendAsync(client);
        await Assert.ThrowsAsync<LlmRateLimitExceededException>(() => RedisHost.SendAsync(client));

        Assert.Equal(2, host.Provider.Requests);
        Assert.True(host.Store.IsDegraded);
    }

    /// <summary>
    /// These tests are about sharing counts, not about Redis being slow: a generous timeout keeps a loaded test machine
    /// from turning a slow first script load into the local fallback (which the outage tests cover).
    /// </summary>
    private static void Patient(RedisBudgetStoreOptions options) => options.OperationTimeout = TimeSpan.FromSeconds(15);
}
