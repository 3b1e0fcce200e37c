namespace LlmCost.Sdk.Redis.Tests;

/// <summary>
/// Four app instances (service providers) with 16 concurrent callers each, one Redis, one $1.00 cap: the total spend never
/// exceeds the cap by more than what the calls in flight could add beyond their reservations, and refused calls never
/// reach the provider.
/// </summary>
public sealed class RedisConcurrencyTests
{
    private const int Instances = 4;
    private const int CallersPerInstance = 16;
    private const int CallsPerCaller = 3;

    [Fact]
    public async Task FourInstancesSixteenCallers_OneCap_NeverOvershootBeyondInFlight()
    {
        await using var redis = await RedisServer.GetAsync();
        var prefix = RedisBudgetStoreTests.Prefix();
        var hosts = Enumerable.Range(0, Instances).Select(_ => RedisHost.Create(redis.Endpoint, prefix, o =>
        {
            o.Limit = 1.00m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        })).ToArray();
        try
        {
            var refused = 0;
            var callers = hosts.SelectMany(host => Enumerable.Range(0, CallersPerInstance).Select(async _ =>
            {
                using var client = host.CreateClient();
                for (var i = 0; i < CallsPerCaller; i++)
                {
                    try
                    {
                        await RedisHost.SendAsync(client);
                    }
                    catch (LlmBudgetExceededException)
                    {
                        Interlocked.Increment(ref refused);
                    }

                    await host.SettleAsync();
                }
            }));
            await Task.WhenAll(callers);
            foreach (var host in hosts)
            {
                await host.SettleAsync();
            }

            var records = hosts.SelectMany(h => h.Sink.Records).ToList();
            var sent = records.Where(r => r.ErrorType is null).ToList();
            var spent = sent.Sum(r => r.Cost!.Total);

            // Every call either reached the provider once or was refused before sending.
            Assert.Equal(Instances * CallersPerInstance * CallsPerCaller, sent.Count + refused);
            Assert.Equal(sent.Count, hosts.Sum(h => h.Provider.Requests));
            Assert.Equal(refused, records.Count(r => r.ErrorType == "budget_exceeded"));
            Assert.True(refused > 0);

            // A call is granted only when spent + reservations + its estimate fit the cap; each then costs its estimate
            // plus at most (cost - estimate), so the overshoot is bounded by the callers that can be in flight together.
            var bound = 1.00m + (Instances * CallersPerInstance * (RedisHost.CallCost - RedisHost.Estimate));
            Assert.True(spent <= bound, $"spent {spent} > {bound}");

            // And the cap was used, not refused early: a refusal means spent + reserved + estimate > cap.
            Assert.True(spent > 1.00m - RedisHost.Estimate, $"spent {spent}");

            // Redis agrees with the records.
            var window = BudgetWindow.At(BudgetWindowKind.Day, TimeSpan.Zero, TimeZoneInfo.Utc, TimeProvider.System.GetUtcNow());
            var stored = await hosts[0].Store.GetSpentAsync("cap", window.Buckets);
            Assert.Equal(spent, stored[0]);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RedisRestartMidTest_CallsNeverFail_SharedAgainAfter()
    {
        await using var redis = await RedisServer.StartOwnAsync();
        await using var host = RedisHost.Create(redis.Endpoint, RedisBudgetStoreTests.Prefix(), o =>
        {
            o.Limit = 0.03m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        });
        using var client = host.CreateClient();
        await RedisHost.SendAsync(client);
        await host.SettleAsync(); // $0.0125 in Redis

        await redis.StopAsync();
        await RedisHost.SendAsync(client); // Redis down: enforced locally (fail open), not failed
        await host.SettleAsync();
        Assert.True(host.Store.IsDegraded);

        await redis.StartAsync(); // a fresh, empty Redis (killed without saving)
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (host.Store.IsDegraded)
        {
            // The store tries Redis on every operation; the connection comes back in the background.
            await host.Store.GetSpentAsync("probe", ["b"], cts.Token);
            await Task.Delay(50, cts.Token);
        }

        // Shared enforcement again: two calls fit the $0.03 cap in the new Redis, the third is refused.
        await RedisHost.SendAsync(client);
        await host.SettleAsync();
        await RedisHost.SendAsync(client);
        await host.SettleAsync();
        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => RedisHost.SendAsync(client));
        var window = BudgetWindow.At(BudgetWindowKind.Day, TimeSpan.Zero, TimeZoneInfo.Utc, TimeProvider.System.GetUtcNow());
        Assert.Equal([0.025m], await host.Store.GetSpentAsync("cap", window.Buckets));
        Assert.Equal(4, host.Provider.Requests);
        await host.SettleAsync();
        Assert.Equal(host.Sink.Records.Count - 1, host.Provider.Requests);
    }
}
