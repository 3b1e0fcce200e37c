using OpenTelemetry.Metrics;

namespace LlmCost.Sdk;

/// <summary>Adds the SDK's metrics to an OpenTelemetry <see cref="MeterProviderBuilder"/>.</summary>
public static class LlmCostMeterProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the <see cref="LlmCostTelemetry.MeterName"/> meter: <c>gen_ai.client.token.usage</c>,
    /// <c>gen_ai.client.operation.duration</c> and <c>llmcost.cost</c>.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddLlmCostInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(LlmCostTelemetry.MeterName);
    }
}
