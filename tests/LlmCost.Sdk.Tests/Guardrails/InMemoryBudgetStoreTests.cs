namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>The in-memory store's reserved sums, kept as reservations come and go, and its expiry of unsettled ones.</summary>
public sealed class InMemoryBudgetStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Buckets = ["d"];

    [Fact]
    public async Task Reserved_SumOfLiveReservations_ExpiredOnesStopCountingAtTheirExpiry()
    {
        var store = new InMemoryBudgetStore();
        await store.ReserveAsync(Reservation("a", 1.5m, 100, T0, T0.AddMinutes(1)));
        await store.ReserveAsync(Reservation("b", 2.25m, 200, T0, T0.AddMinutes(10)));

        var both = await store.ReserveAsync(Reservation("probe1", 0m, 0, T0.AddSeconds(59), T0.AddMinutes(10)));
        Assert.Equal(3.75m, both.Reserved);
        Assert.Equal(300, both.TokensReserved);

        // At a's expiry it stops counting (a crashed instance's reservation); b still counts.
        var later = await store.ReserveAsync(Reservation("probe2", 0m, 0, T0.AddMinutes(1), T0.AddMinutes(10)));
        Assert.Equal(2.25m, later.Reserved);
        Assert.Equal(200, later.TokensReserved);

        // Settling b ends it and adds its real cost; settling a again (expired, or twice) changes nothing.
        var settled = await store.SettleAsync(new BudgetSettlement { ScopeKey = "s", Id = "b", Buckets = Buckets, AddTo = [new BudgetBucket("d", T0.AddDays(1))], Cost = 1m, Tokens = 50, Now = T0.AddMinutes(2) });
        await store.SettleAsync(new BudgetSettlement { ScopeKey = "s", Id = "a", Buckets = Buckets, AddTo = [], Cost = 0m, Now = T0.AddMinutes(2) });
        await store.SettleAsync(new BudgetSettlement { ScopeKey = "s", Id = "b", Buckets = Buckets, AddTo = [], Cost = 0m, Now = T0.AddMinutes(2) });
        Assert.Equal(1m, settled.Spent);
        Assert.Equal(0m, settled.Reserved);
        var end = await store.ReserveAsync(Reservation("probe3", 0m, 0, T0.AddMinutes(3), T0.AddMinutes(10)));
        Assert.Equal(0m, end.Reserved);
        Assert.Equal(0, end.TokensReserved);
        Assert.Equal(1m, end.Spent);
    }

    [Fact]
    public async Task Reserve_OverLimitCountsLiveReservations_RefusedUntilOneSettles()
    {
        var store = new InMemoryBudgetStore();
        Assert.True((await store.ReserveAsync(Reservation("a", 0.6m, 0, T0, T0.AddMinutes(10), limit: 1m))).Granted);
        Assert.False((await store.ReserveAsync(Reservation("b", 0.6m, 0, T0, T0.AddMinutes(10), limit: 1m))).Granted);

        await store.SettleAsync(new BudgetSettlement { ScopeKey = "s", Id = "a", Buckets = Buckets, AddTo = [new BudgetBucket("d", T0.AddDays(1))], Cost = 0.3m, Now = T0 });

        Assert.True((await store.ReserveAsync(Reservation("c", 0.6m, 0, T0, T0.AddMinutes(10), limit: 1m))).Granted); // 0.3 + 0.6 <= 1
    }

    private static BudgetReservation Reservation(string id, decimal cost, long tokens, DateTimeOffset now, DateTimeOffset expiresAt, decimal? limit = null) =>
        new() { ScopeKey = "s", Buckets = Buckets, Id = id, Cost = cost, Tokens = tokens, CostLimit = limit, Now = now, ExpiresAt = expiresAt };
}
