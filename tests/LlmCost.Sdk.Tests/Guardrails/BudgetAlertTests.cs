using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>Threshold alerts fire once per threshold per window; pace and anomaly alerts; window roll-over in a time zone.</summary>
public sealed class BudgetAlertTests
{
    [Fact]
    public async Task Thresholds_FireOncePerThresholdPerWindow()
    {
        var handler = new CollectingAlertHandler();
        await using var host = GuardrailHost.Create(b => b
            .AddBudget("team", o =>
            {
                o.Team = "search";
                o.Limit = 0.05m;
            })
            .AddBudgetAlertHandler(handler));
        using var alerts = new MetricCollector<long>(host.Services.GetRequiredService<LlmCostInstrumentation>().Meter, "llmcost.budget.alerts");
        using var client = host.CreateClient();
        using var scope = LlmCostScope.Begin(team: "search");

        for (var i = 0; i < 6; i++)
        {
            await host.SendAsync(client); // $0.0125 each: 25%, 50%, 75%, 100%, 125%, 150%
            await host.SettleAsync();
        }

        Assert.Equal(3, alerts.GetMeasurementSnapshot().Count);
        await handler.WaitAsync(3);
        Assert.Equal([0.5m, 0.8m, 1.0m], handler.Alerts.Select(a => a.Threshold!.Value).Order());
        Assert.All(handler.Alerts, a => Assert.Equal(LlmBudgetAlertKind.Threshold, a.Kind));
        Assert.Equal(0.025m, handler.Alerts.Single(a => a.Threshold == 0.5m).Spent);
        Assert.Equal("search", handler.Alerts[0].Scope["team"]);

        // The next day is a new window: the 50% threshold fires again.
        host.Time.Advance(TimeSpan.FromDays(1));
        await host.SendAsync(client);
        await host.SettleAsync();
        await host.SendAsync(client);
        await host.SettleAsync();
        Assert.Equal(4, alerts.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task Pace_SpendProjectedPastLimit_FiresOnce()
    {
        var handler = new CollectingAlertHandler();

        // 3 days of a 30-day month have passed: $0.0125 projects to $0.125 > $0.10.
        await using var host = GuardrailHost.Create(
            b => b.AddBudget("monthly", o =>
                {
                    o.Customer = "*";
                    o.Window = "Month";
                    o.Limit = 0.1m;
                    o.AlertThresholds = [];
                    o.PaceAlert = true;
                })
                .AddBudgetAlertHandler(handler),
            now: new DateTimeOffset(2026, 11, 4, 0, 0, 0, TimeSpan.Zero));
        using var client = host.CreateClient();
        using var scope = LlmCostScope.Begin(customer: "acme");
        await host.SendAsync(client);
        await host.SettleAsync();
        await host.SendAsync(client);
        await host.SettleAsync();

        await handler.WaitAsync();
        var alert = Assert.Single(handler.Alerts);
        Assert.Equal(LlmBudgetAlertKind.Pace, alert.Kind);
        Assert.Equal(0.125m, alert.Reference);
        Assert.Equal("acme", alert.Scope["customer"]);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), alert.WindowEnd);
    }

    [Fact]
    public async Task Pace_EarlyInWindow_NotChecked()
    {
        await using var host = GuardrailHost.Create(
            b => b.AddBudget("monthly", o =>
            {
                o.Window = "Month";
                o.Limit = 0.1m;
                o.AlertThresholds = [];
                o.PaceAlert = true;
            }),
            now: new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));
        using var alerts = new MetricCollector<long>(host.Services.GetRequiredService<LlmCostInstrumentation>().Meter, "llmcost.budget.alerts");
        using var client = host.CreateClient();
        await host.SendAsync(client);
        await host.SettleAsync();
        Assert.Empty(alerts.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Anomaly_TodayOverTrailingMeanTimesFactor_Fires()
    {
        var handler = new CollectingAlertHandler();
        await using var host = GuardrailHost.Create(b => b
            .AddBudget("anomaly", o =>
            {
                o.Feature = "*";
                o.AnomalyFactor = 2m;
                o.AnomalyDays = 3;
            })
            .AddBudgetAlertHandler(handler));
        using var client = host.CreateClient();
        using var scope = LlmCostScope.Begin(feature: "triage");

        for (var day = 0; day < 3; day++)
        {
            await host.SendAsync(client); // one call a day: mean $0.0125
            await host.SettleAsync();
            host.Time.Advance(TimeSpan.FromDays(1));
        }

        await host.SendAsync(client);
        await host.SettleAsync();
        await host.SendAsync(client); // $0.025 today: not above 2 x $0.0125
        await host.SettleAsync();
        Assert.Empty(handler.Alerts);

        await host.SendAsync(client); // $0.0375
        await host.SettleAsync();
        await host.SendAsync(client);
        await host.SettleAsync();

        await handler.WaitAsync();
        var alert = Assert.Single(handler.Alerts);
        Assert.Equal(LlmBudgetAlertKind.Anomaly, alert.Kind);
        Assert.Equal(0.0375m, alert.Spent);
        Assert.Equal(0.025m, alert.Reference);
        Assert.Equal("triage", alert.Scope["feature"]);
    }

    [Fact]
    public async Task Refusal_DayRollsOverAtLocalMidnight_AllowsAgain()
    {
        // 23:30 in Berlin (UTC+1 in November).
        await using var host = GuardrailHost.Create(
            b => b.AddBudget("daily", o =>
            {
                o.TimeZone = "Europe/Berlin";
                o.Limit = 0.02m;
                o.Enforcement = LlmBudgetEnforcement.Refuse;
            }),
            now: new DateTimeOffset(2026, 11, 30, 22, 30, 0, TimeSpan.Zero));
        using var client = host.CreateClient();
        await host.SendAsync(client);
        await host.SettleAsync();
        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => host.SendAsync(client));
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero), refused.WindowEnd);

        host.Time.Advance(TimeSpan.FromMinutes(30));
        await host.SendAsync(client);
        Assert.Equal(2, host.Provider.Requests);
    }

    [Fact]
    public async Task Refusal_MonthRollsOverAtLocalMidnightWhileUtcIsStillInTheOldMonth_AllowsAgain()
    {
        // A monthly cap in Tokyo (UTC+9): Feb 28 23:30 JST is 14:30 UTC; the month ends at Mar 1 00:00 JST = Feb 28 15:00 UTC.
        await using var host = GuardrailHost.Create(
            b => b.AddBudget("monthly", o =>
            {
                o.Window = "Month";
                o.TimeZone = "Asia/Tokyo";
                o.Limit = 0.02m;
                o.Enforcement = LlmBudgetEnforcement.Refuse;
            }),
            now: new DateTimeOffset(2027, 2, 28, 14, 30, 0, TimeSpan.Zero));
        using var client = host.CreateClient();
        await host.SendAsync(client);
        await host.SettleAsync();
        var refused = await Assert.ThrowsAsync<LlmBudgetExceededException>(() => host.SendAsync(client));
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 15, 0, 0, TimeSpan.Zero), refused.WindowStart);
        Assert.Equal(new DateTimeOffset(2027, 2, 28, 15, 0, 0, TimeSpan.Zero), refused.WindowEnd);

        host.Time.Advance(TimeSpan.FromMinutes(29));
        await Assert.ThrowsAsync<LlmBudgetExceededException>(() => host.SendAsync(client)); // 23:59 JST: still February

        host.Time.Advance(TimeSpan.FromMinutes(1)); // Mar 1 00:00 JST, Feb 28 15:00 UTC
        await host.SendAsync(client);
        Assert.Equal(2, host.Provider.Requests);
    }

    [Fact]
    public async Task AlertHandler_Throws_CallsUnaffected()
    {
        await using var host = GuardrailHost.Create(b => b
            .AddBudget("b", o => o.Limit = 0.01m)
            .AddBudgetAlertHandler(new ThrowingAlertHandler()));
        using var client = host.CreateClient();
        await host.SendAsync(client);
        await host.SettleAsync();
        await host.SendAsync(client);
        Assert.Equal(2, host.Provider.Requests);
    }

    private sealed class ThrowingAlertHandler : ILlmBudgetAlertHandler
    {
        public Task OnAlertAsync(LlmBudgetAlert alert, CancellationToken cancellationToken) => throw new InvalidOperationException("handler bug");
    }
}
