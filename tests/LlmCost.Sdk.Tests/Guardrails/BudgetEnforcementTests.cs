using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>Hard caps refuse before sending; the refused call is recorded once; reservations settle to the real cost.</summary>
public sealed class BudgetEnforcementTests
{
    [Fact]
    public async Task SendAsync_CapReached_RefusesBeforeSendingAndRecordsOnce()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("experiment", o =>
        {
            o.Feature = "experiment";
            o.Limit = 0.03m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }));
        using var client = host.CreateClient();

        using (LlmCostScope.Begin(feature: "experiment", customer: "acme"))
        {
            // Worst case of each call: 28 input tokens (84 bytes / 3) at $2.50/M + 1,000 output at $10/M = $0.01007.
            await host.SendAsync(client);
            await host.SettleAsync();
            await host.SendAsync(client);
            await host.SettleAsync();
            Assert.Equal(2, host.Provider.Requests);

            // Spent $0.025; $0.025 + $0.01007 > $0.03.
            var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => host.SendAsync(client));
            Assert.Equal("experiment", refused.BudgetName);
            Assert.Equal("experiment", refused.Scope["feature"]);
            Assert.Equal(0.025m, refused.Spent);
            Assert.Equal(0.03m, refused.Limit);
            Assert.Equal(0.01007m, refused.EstimatedCost);
            Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), refused.WindowStart);
            Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), refused.WindowEnd);
            Assert.Equal("budget_exceeded", refused.ErrorType);
            Assert.IsAssignableFrom<InvalidOperationException>(refused);
        }

        Assert.Equal(2, host.Provider.Requests); // the refused call made no request
        await host.SettleAsync();
        var records = host.Sink.Records;
        Assert.Equal(3, records.Count);
        Assert.All(records.Take(2), r => Assert.Equal(GuardrailHost.CallCost, r.Cost!.Total));
        var record = records[2];
        Assert.Equal("budget_exceeded", record.ErrorType);
        Assert.Equal("gpt-4o", record.RequestModel);
        Assert.Equal(0m, record.Cost!.Total);
        Assert.Equal("experiment", record.Tags.Feature);
    }

    [Fact]
    public async Task Send_Sync_CapReached_RefusesBeforeSending()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("cap", o =>
        {
            o.Limit = 0.015m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }));
        using var client = host.CreateClient();
        using (var response = client.Send(GuardrailHost.Chat()))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        await host.SettleAsync();
        Assert.Throws<LlmBudgetExceededException>(() => client.Send(GuardrailHost.Chat()));
        Assert.Equal(1, host.Provider.Requests);
        await host.SettleAsync();
        Assert.Equal("budget_exceeded", host.Sink.Records[^1].ErrorType);
    }

    [Fact]
    public async Task SendAsync_OtherFeature_NotCountedNorRefused()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("experiment", o =>
        {
            o.Feature = "experiment";
            o.Limit = 0.001m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }));
        using var client = host.CreateClient();
        using (LlmCostScope.Begin(feature: "search"))
        {
            await host.SendAsync(client);
            await host.SendAsync(client);
        }

        Assert.Equal(2, host.Provider.Requests);
        await host.SettleAsync();
        Assert.All(host.Sink.Records, r => Assert.Null(r.ErrorType));
    }

    [Fact]
    public async Task SendAsync_EachCustomer_GetsItsOwnBudget()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("per-customer", o =>
        {
            o.Customer = "*";
            o.Window = "Month";
            o.Limit = 0.02m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }));
        using var client = host.CreateClient();
        using (LlmCostScope.Begin(customer: "acme"))
        {
            await host.SendAsync(client);
            await host.SettleAsync();
            var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => host.SendAsync(client));
            Assert.Equal("acme", refused.Scope["customer"]);
            Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), refused.WindowStart);
            Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), refused.WindowEnd);
        }

        using (LlmCostScope.Begin(customer: "globex"))
        {
            await host.SendAsync(client);
        }

        using (LlmCostScope.Begin(feature: "no-customer"))
        {
            await host.SendAsync(client);
            await host.SendAsync(client);
        }

        Assert.Equal(4, host.Provider.Requests);
    }

    [Fact]
    public async Task SendAsync_ModelScope_CountsOnlyThatModel()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("gpt-4o", o =>
        {
            o.Model = "gpt-4o";
            o.Limit = 0.001m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }));
        using var client = host.CreateClient();
        await host.SendAsync(client, GuardrailHost.Chat(model: "gpt-4o-mini"));
        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => host.SendAsync(client, GuardrailHost.Chat(model: "gpt-4o")));
        Assert.Equal(1, host.Provider.Requests);
    }

    [Fact]
    public async Task SendAsync_Warn_NeverRefuses()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("warn", o => o.Limit = 0.001m));
        using var client = host.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await host.SendAsync(client);
            await host.SettleAsync();
        }

        Assert.Equal(3, host.Provider.Requests);
    }

    [Fact]
    public async Task SendAsync_TokenLimit_RefusesOverTokens()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("tokens", o =>
        {
            o.TokenLimit = 3000;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }));
        using var client = host.CreateClient();
        await host.SendAsync(client);
        await host.SettleAsync(); // 2,000 tokens used
        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => host.SendAsync(client));
        Assert.Equal(2000, refused.TokensSpent);
        Assert.Equal(3000, refused.TokenLimit);
        Assert.Equal(1028, refused.EstimatedTokens);
    }

    [Fact]
    public async Task SendAsync_ConcurrentCalls_NeverOvershootByMoreThanInFlight()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("cap", o =>
        {
            o.Limit = 0.1m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }));
        using var client = host.CreateClient();
        var refused = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 64), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
        {
            try
            {
                await host.SendAsync(client);
            }
            catch (LlmBudgetExceededException)
            {
                Interlocked.Increment(ref refused);
            }
        });
        await host.SettleAsync();

        // Each granted call reserved $0.01007 and cost $0.0125: the reservations keep the total within the cap plus the
        // difference of the calls in flight together (at most 16 x $0.00243).
        var spent = host.Sink.Records.Where(r => r.ErrorType is null).Sum(r => r.Cost!.Total);
        Assert.True(spent <= 0.1m + (16 * (GuardrailHost.CallCost - 0.01007m)), $"spent {spent}");
        Assert.Equal(64 - refused, host.Provider.Requests);
        Assert.Equal(refused, host.Sink.Records.Count(r => r.ErrorType == "budget_exceeded"));
    }

    [Fact]
    public async Task Settle_UnknownCostOfSuccessfulCall_KeepsEstimate()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("cap", o => o.Limit = 10m));
        var store = host.Services.GetRequiredService<IBudgetStore>();
        using var client = host.CreateClient();
        await host.SendAsync(client);
        await host.SettleAsync();
        var window = BudgetWindow.At(BudgetWindowKind.Day, TimeSpan.Zero, TimeZoneInfo.Utc, host.Time.GetUtcNow());
        var spent = await store.GetSpentAsync("cap", window.Buckets);
        Assert.Equal(GuardrailHost.CallCost, spent[0]);
    }
}
