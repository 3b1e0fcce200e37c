using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace LlmCost.Sdk;

/// <summary>Options of the record queue and the background pump that batches records for the sinks.</summary>
/// <remarks>Part of <see cref="LlmCostOptions"/> (<see cref="LlmCostOptions.Pipeline"/>), bound from <c>LlmCost:Pipeline</c>.</remarks>
public sealed class LlmCostPipelineOptions
{
    /// <summary>Gets or sets how many records may wait for the sinks. When full, new records are dropped and counted, never waited for.</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets the largest batch handed to a sink.</summary>
    /// <value>The default value is 512.</value>
    [Range(1, 1_000_000)]
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Gets or sets how long the pump waits for a batch to fill before writing what it has.</summary>
    /// <value>The default value is 1 second.</value>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimSafeRange.Justification)]
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromSeconds(1);
}
