using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>The guardrails' registration seam in <c>AddLlmCostTracking</c>.</summary>
internal static class LlmGuardrailRegistration
{
    /// <summary>Registers what every service provider has: the estimator (cheap; nothing runs until it is used).</summary>
    public static void AddCore(IServiceCollection services)
    {
        services.AddOptions<LlmGuardrailOptions>();
        services.TryAddSingleton(static sp => new LlmCostEstimator(
            sp.GetRequiredService<IOptions<LlmCostOptions>>(),
            sp.GetRequiredService<IOptions<LlmGuardrailOptions>>(),
            sp.GetRequiredService<LlmCostWriter>().Pricer,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILlmInputTokenCounter>()));
        services.TryAddSingleton<ILlmCostEstimator>(static sp => sp.GetRequiredService<LlmCostEstimator>());
    }

    /// <summary>Adds the budgets of a configuration section (<c>LlmCost:Budgets</c>): each child is one budget.</summary>
    public static void AddFromConfiguration(IServiceCollection services, IConfiguration budgets)
    {
        foreach (var child in budgets.GetChildren())
        {
            if (LlmBudgetTrackingBuilderExtensions.AddBudgetCore(services, child.Key))
            {
                services.AddOptions<LlmBudgetOptions>(child.Key).Bind(child);
            }
        }
    }
}
