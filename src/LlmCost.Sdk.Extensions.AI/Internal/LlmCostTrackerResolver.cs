using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk.Extensions.AI;

/// <summary>Finds the SDK's tracker in a builder's service provider, with a message that says how to fix its absence.</summary>
internal static class LlmCostTrackerResolver
{
    public static ILlmCostTracker Resolve(IServiceProvider services, string builderName) =>
        services.GetService<ILlmCostTracker>()
        ?? throw new InvalidOperationException(
            $"UseLlmCostTracking() needs LLM cost tracking in the service provider: call services.AddLlmCostTracking() "
            + $"and pass that provider to {builderName}.Build(serviceProvider).");

    public static ILogger? Logger<T>(IServiceProvider services) => services.GetService<ILoggerFactory>()?.CreateLogger<T>();
}
