using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>
/// What the guardrails do on a call's path: a call only warn-only budgets apply to is not read before it is sent (no
/// pre-flight, nothing reserved); its record settles its spend in their scopes, so their thresholds still fire.
/// </summary>
public sealed class BudgetGuardTests
{
    [Fact]
    public async Task SendAsync_WarnOnlyBudget_NoPreflight_SpendSettledFromRecord()
    {
        var counter = new CountingCounter();
        var alerts = new CollectingAlertHandler();
        await using var host = GuardrailHost.Create(b =>
        {
            b.Services.AddSingleton<ILlmInputTokenCounter>(counter);
            b.AddBudget("warn", o =>
            {
                o.Limit = 0.02m;
                o.AlertThresholds = [0.5m];
            });
            b.AddBudgetAlertHandler(alerts);
        });
        using var http = host.CreateClient();

        using (await host.SendAsync(http))
        {
        }

        using (await host.SendAsync(http))
        {
        }

        await host.SettleAsync();

        Assert.Equal(0, counter.Calls); // never estimated: nothing was read before sending
        Assert.Equal(2, host.Provider.Requests);
        Assert.Equal(2 * GuardrailHost.CallCost, await SpentAsync(host, "warn"));
        await alerts.WaitAsync();
        var alert = Assert.Single(alerts.Alerts);
        Assert.Equal(LlmBudgetAlertKind.Threshold, alert.Kind);
        Assert.Equal("warn", alert.BudgetName);
    }

    [Theory]
    [InlineData("gpt-4o", 1)]
    [InlineData("gpt-4o-mini", 0)]
    public async Task SendAsync_WarnOnlyBudgetForAModel_SettlesOnlyItsModel(string model, int counted)
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("model", o =>
        {
            o.Model = model;
            o.Limit = 100m;
        }));
        using var http = host.CreateClient();

        using (await host.SendAsync(http, GuardrailHost.Chat(model: "gpt-4o")))
        {
        }

        await host.SettleAsync();

        Assert.Equal(counted * GuardrailHost.CallCost, await SpentAsync(host, "model"));
    }

    [Fact]
    public async Task SendAsync_HardCapAndWarnBudget_BothCountedThroughThePreflight()
    {
        var counter = new CountingCounter();
        await using var host = GuardrailHost.Create(b =>
        {
            b.Services.AddSingleton<ILlmInputTokenCounter>(counter);
            b.AddBudget("cap", o =>
            {
                o.Limit = 100m;
                o.Enforcement = LlmBudgetEnforcement.Refuse;
            });
            b.AddBudget("warn", o => o.Limit = 100m);
        });
        using var http = host.CreateClient();

        using (await host.SendAsync(http))
        {
        }

        await host.SettleAsync();

        Assert.Equal(1, counter.Calls);
        Assert.Equal(GuardrailHost.CallCost, await SpentAsync(host, "cap"));
        Assert.Equal(GuardrailHost.CallCost, await SpentAsync(host, "warn"));
    }

    private static async Task<decimal> SpentAsync(GuardrailHost host, string scopeKey)
    {
        var window = BudgetWindow.At(BudgetWindowKind.Day, TimeSpan.Zero, TimeZoneInfo.Utc, host.Time.GetUtcNow());
        var spent = await host.Services.GetRequiredService<IBudgetStore>().GetSpentAsync(scopeKey, window.Buckets);
        return spent.Sum();
    }

    /// <summary>The default count (bytes / 3), counting how often the core asks for it.</summary>
    private sealed class CountingCounter : ILlmInputTokenCounter
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public long CountInputTokens(string provider, string? model, ReadOnlySpan<byte> body)
        {
            Interlocked.Increment(ref _calls);
            return (body.Length + 2L) / 3;
        }
    }
}
