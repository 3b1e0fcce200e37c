using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>Budgets bound from <c>LlmCost:Budgets:{name}</c> with the documented keys, and validated at start-up.</summary>
public sealed class BudgetConfigurationTests
{
    [Fact]
    public void AddLlmCostTracking_Configuration_BindsEveryKey()
    {
        var configuration = Configuration(new()
        {
            ["LlmCost:Budgets:experiment:Feature"] = "experiment-b",
            ["LlmCost:Budgets:experiment:Team"] = "search",
            ["LlmCost:Budgets:experiment:Customer"] = "*",
            ["LlmCost:Budgets:experiment:Environment"] = "production",
            ["LlmCost:Budgets:experiment:Provider"] = "openai",
            ["LlmCost:Budgets:experiment:Model"] = "gpt-4o",
            ["LlmCost:Budgets:experiment:Window"] = "Week",
            ["LlmCost:Budgets:experiment:TimeZone"] = "Europe/Berlin",
            ["LlmCost:Budgets:experiment:Limit"] = "25.50",
            ["LlmCost:Budgets:experiment:Enforcement"] = "Refuse",
            ["LlmCost:Budgets:experiment:AlertThresholds:0"] = "0.9",
            ["LlmCost:Budgets:experiment:Tags:tier"] = "free",
            ["LlmCost:Budgets:rolling:Window"] = "06:00:00",
            ["LlmCost:Budgets:rolling:Limit"] = "1",
        });
        var services = new ServiceCollection();
        services.AddLlmCostTracking(configuration.GetSection("LlmCost"));
        using var sp = services.BuildServiceProvider();

        sp.GetRequiredService<IStartupValidator>().Validate();
        var o = sp.GetRequiredService<IOptionsMonitor<LlmBudgetOptions>>().Get("experiment");
        Assert.Equal(("experiment-b", "search", "*", "production", "openai", "gpt-4o"), (o.Feature, o.Team, o.Customer, o.Environment, o.Provider, o.Model));
        Assert.Equal(("Week", "Europe/Berlin", 25.50m, LlmBudgetEnforcement.Refuse), (o.Window, o.TimeZone, o.Limit, o.Enforcement));
        Assert.Equal([0.9m], o.AlertThresholds);
        Assert.Equal("free", o.Tags["tier"]);
        Assert.NotNull(sp.GetService<BudgetGuard>());
        Assert.Equal("06:00:00", sp.GetRequiredService<IOptionsMonitor<LlmBudgetOptions>>().Get("rolling").Window);
    }

    [Fact]
    public void AddBudget_ApplicationConfiguration_OverridesCode()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(Configuration(new() { ["LlmCost:Budgets:daily:Limit"] = "5" }));
        services.AddLlmCostTracking().AddBudget("daily", o =>
        {
            o.Limit = 1m;
            o.Feature = "chat";
        });
        using var sp = services.BuildServiceProvider();

        var o = sp.GetRequiredService<IOptionsMonitor<LlmBudgetOptions>>().Get("daily");
        Assert.Equal(5m, o.Limit);
        Assert.Equal("chat", o.Feature);
    }

    [Theory]
    [InlineData("Window", "Fortnight", "LlmCost:Budgets:bad:Window")]
    [InlineData("TimeZone", "Mars/Olympus", "LlmCost:Budgets:bad:TimeZone")]
    [InlineData("Limit", "-1", "LlmCost:Budgets:bad:Limit")]
    [InlineData("AlertThresholds:0", "80", "LlmCost:Budgets:bad:AlertThresholds")]
    [InlineData("MaxOutputTokens", "0", "LlmCost:Budgets:bad:MaxOutputTokens")]
    public void Validate_BadField_FailsAtStartNamingBudgetAndField(string key, string value, string expected)
    {
        var values = new Dictionary<string, string?> { ["LlmCost:Budgets:bad:Limit"] = "1", ["LlmCost:Budgets:bad:" + key] = value };
        var services = new ServiceCollection();
        services.AddLlmCostTracking(Configuration(values).GetSection("LlmCost"));
        using var sp = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefuseWithoutLimit_Fails()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking().AddBudget("cap", o =>
        {
            o.MaxOutputTokens = 100;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        });
        using var sp = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("LlmCost:Budgets:cap:Limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoBudgets_NoGuard()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking();
        using var sp = services.BuildServiceProvider();
        Assert.Null(sp.GetService<BudgetGuard>());
        Assert.Null(sp.GetRequiredService<HttpCallTracker>().Guardrails);
        Assert.NotNull(sp.GetRequiredService<ILlmCostEstimator>());
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
