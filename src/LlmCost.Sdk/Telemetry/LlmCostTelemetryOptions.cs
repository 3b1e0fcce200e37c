using System.ComponentModel.DataAnnotations;

namespace LlmCost.Sdk;

/// <summary>
/// Options of the SDK's OpenTelemetry output: which attribution tags become metric attributes, how many distinct
/// values each may take, and whether attribution is read from and written to OpenTelemetry Baggage.
/// </summary>
/// <remarks>
/// Bound from the <c>Telemetry</c> section of the <see cref="LlmCostOptions"/> configuration, for example
/// <c>"LlmCost": { "Telemetry": { "IncludeCustomerInMetrics": true, "MaxMetricTagValues": 200 } }</c>.
/// Spans always carry every attribution tag (a span is not aggregated); these options protect metric cardinality.
/// </remarks>
public sealed class LlmCostTelemetryOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether the cost metric carries the customer (<c>llmcost.customer</c>).
    /// </summary>
    /// <value>The default value is <see langword="false"/>: customers are often too many for a metric attribute.</value>
    public bool IncludeCustomerInMetrics { get; set; }

    /// <summary>
    /// Gets the custom tags the cost metric carries, by name (a tag <c>region</c> becomes <c>llmcost.tag.region</c>).
    /// Custom tags not listed stay off metrics.
    /// </summary>
    /// <value>The default value is empty: no custom tag on metrics.</value>
    public IList<string> CustomTagsInMetrics { get; } = [];

    /// <summary>
    /// Gets or sets how many distinct values each attribution attribute (feature, team, environment, customer and each
    /// listed custom tag) may take on metrics. Later values are reported as <c>other</c>.
    /// </summary>
    /// <value>The default value is 100.</value>
    [Range(1, 100_000)]
    public int MaxMetricTagValues { get; set; } = 100;

    /// <summary>
    /// Gets or sets a value indicating whether attribution is read from OpenTelemetry Baggage (keys <c>llmcost.feature</c>,
    /// <c>llmcost.team</c>, <c>llmcost.customer</c>, <c>llmcost.environment</c>), so a tag set by an upstream service
    /// attributes calls made here. Baggage ranks below the ambient <see cref="LlmCostScope"/> and above client and option defaults.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>Baggage arrives with incoming requests: strip it at untrusted edges, as for any baggage.</remarks>
    public bool ReadBaggage { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether <see cref="LlmCostScope.Begin"/> also writes the scope's standard tags to
    /// OpenTelemetry Baggage (restored when the scope is disposed), so services called inside the scope see them.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>
    /// <see cref="LlmCostScope"/> is ambient and knows no service provider, so this switch is process-wide: it is on
    /// while a service provider built with it is alive (from the moment the tracking services start).
    /// </remarks>
    public bool WriteBaggage { get; set; }
}
