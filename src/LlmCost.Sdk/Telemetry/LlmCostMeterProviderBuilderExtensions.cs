using LlmCost.Sdk;

namespace OpenTelemetry.Metrics;

/// <summary>Adds the SDK's metrics to an OpenTelemetry <see cref="MeterProviderBuilder"/>.</summary>
/// <remarks>In the <c>OpenTelemetry.Metrics</c> namespace, as every OpenTelemetry instrumentation package's builder extensions are.</remarks>
public static class LlmCostMeterProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the <see cref="LlmCostTelemetry.MeterName"/> meter: <c>gen_ai.client.token.usage</c>,
    /// <c>gen_ai.client.operation.duration</c>, <c>llmcost.cost</c> and the SDK's own <c>llmcost.pipeline.*</c> counters.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns>The builder.</returns>
    public static MeterProviderBuilder AddLlmCostInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(LlmCostTelemetry.MeterName);
    }
}
