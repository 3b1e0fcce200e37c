using LlmCost.Sdk;

namespace OpenTelemetry.Trace;

/// <summary>Adds the SDK's spans to an OpenTelemetry <see cref="TracerProviderBuilder"/>.</summary>
/// <remarks>In the <c>OpenTelemetry.Trace</c> namespace, as every OpenTelemetry instrumentation package's builder extensions are.</remarks>
public static class LlmCostTracerProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the <see cref="LlmCostTelemetry.ActivitySourceName"/> activity source: one client span per
    /// tracked HTTP call (named like <c>chat gpt-4o</c>), from the request to the end of the response body.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns>The builder.</returns>
    public static TracerProviderBuilder AddLlmCostInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(LlmCostTelemetry.ActivitySourceName);
    }
}
