namespace LlmCost.Sdk;

/// <summary>
/// The names under which the SDK publishes OpenTelemetry data: its <see cref="System.Diagnostics.Metrics.Meter"/>, its
/// <see cref="System.Diagnostics.ActivitySource"/>, the attribution attributes and the OpenTelemetry Baggage keys.
/// </summary>
/// <remarks>
/// Add them to an OpenTelemetry pipeline with <c>AddLlmCostInstrumentation()</c> on a <c>MeterProviderBuilder</c> and a
/// <c>TracerProviderBuilder</c>, or with <c>AddMeter(LlmCostTelemetry.MeterName)</c> and <c>AddSource(LlmCostTelemetry.ActivitySourceName)</c>.
/// The <c>gen_ai.*</c> metrics and span attributes follow the OpenTelemetry GenAI semantic conventions v1.41;
/// the cost metric and the <c>gen_ai.usage.cost.*</c> span attributes follow an open proposal and may change.
/// </remarks>
public static class LlmCostTelemetry
{
    /// <summary>The name of the meter: <c>LlmCost.Sdk</c>.</summary>
    public const string MeterName = "LlmCost.Sdk";

    /// <summary>The name of the activity source: <c>LlmCost.Sdk</c>.</summary>
    public const string ActivitySourceName = "LlmCost.Sdk";

    /// <summary>
    /// The name of the cost counter: <c>llmcost.cost</c>, unit <c>USD</c>. There is no semantic convention for cost yet.
    /// </summary>
    public const string CostMetricName = "llmcost.cost";

    /// <summary>
    /// The attribute (on the cost metric and on spans) and the OpenTelemetry Baggage key of the feature: <c>llmcost.feature</c>.
    /// </summary>
    public const string FeatureKey = "llmcost.feature";

    /// <summary>The attribute and the OpenTelemetry Baggage key of the team: <c>llmcost.team</c>.</summary>
    public const string TeamKey = "llmcost.team";

    /// <summary>
    /// The attribute and the OpenTelemetry Baggage key of the customer: <c>llmcost.customer</c>. Off metrics by default
    /// (see <see cref="LlmCostTelemetryOptions.IncludeCustomerInMetrics"/>).
    /// </summary>
    public const string CustomerKey = "llmcost.customer";

    /// <summary>The attribute and the OpenTelemetry Baggage key of the environment: <c>llmcost.environment</c>.</summary>
    public const string EnvironmentKey = "llmcost.environment";

    /// <summary>
    /// The prefix of custom-tag attributes: a custom tag <c>region</c> becomes the attribute <c>llmcost.tag.region</c>.
    /// Off metrics by default (see <see cref="LlmCostTelemetryOptions.CustomTagsInMetrics"/>).
    /// </summary>
    public const string CustomTagPrefix = "llmcost.tag.";
}
