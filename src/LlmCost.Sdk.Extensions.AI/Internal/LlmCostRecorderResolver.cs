using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk;

/// <summary>Finds the SDK's recorder in a builder's service provider, with a message that says how to fix its absence.</summary>
internal static class LlmCostRecorderResolver
{
    public static LlmCostRecorder Resolve(IServiceProvider services, string builderName) =>
        services.GetService<LlmCostRecorder>()
        ?? throw new InvalidOperationException(
            $"UseLlmCostTracking() needs LLM cost tracking in the service provider: call services.AddLlmCostTracking() "
            + $"and pass that provider to {builderName}.Build(serviceProvider).");
}
