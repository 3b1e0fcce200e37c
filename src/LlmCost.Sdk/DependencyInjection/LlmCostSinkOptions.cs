using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace LlmCost.Sdk;

/// <summary>Options every sink's worker shares: its own queue of batches and the retries of a failed write.</summary>
/// <remarks>Part of <see cref="LlmCostOptions"/> (<see cref="LlmCostOptions.Sinks"/>), bound from <c>LlmCost:Sinks</c>.</remarks>
public sealed class LlmCostSinkOptions
{
    /// <summary>Gets or sets how many times a failed sink write is retried before its batch is dropped and counted.</summary>
    /// <value>The default value is 3.</value>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry of a failed sink write; each later retry doubles it (with jitter, at most 30 s).</summary>
    /// <value>The default value is 500 milliseconds.</value>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimSafeRange.Justification)]
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets how many batches may wait for one sink; a sink that falls further behind loses batches, counted.</summary>
    /// <value>The default value is 64.</value>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 64;

    /// <summary>
    /// Gets or sets how long one sink write may take. A write that does not complete in time is abandoned (its token is
    /// cancelled and it is not retried): its records are counted in <see cref="LlmCostStatistics.DroppedBySinks"/> and
    /// <see cref="LlmCostStatistics.SinkTimeouts"/>, or kept in the disk spool, and the sink's next batch is written
    /// without waiting for it. <see cref="Timeout.InfiniteTimeSpan"/> turns the bound off.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
