namespace LlmCost.Sdk;

/// <summary>Options shared by every guardrail of a service provider (<c>AddBudget</c>, <see cref="ILlmCostEstimator"/>).</summary>
public sealed class LlmGuardrailOptions
{
    /// <summary>
    /// Gets or sets the output tokens a pre-flight estimate assumes when the request names no max-tokens field
    /// (<c>max_tokens</c>, <c>max_completion_tokens</c>, <c>max_output_tokens</c>, <c>maxOutputTokens</c>, <c>maxTokens</c>).
    /// </summary>
    /// <value>The default value is 4096.</value>
    public int DefaultOutputTokens { get; set; } = 4096;

    /// <summary>
    /// Gets or sets how long a reservation made before a call counts if the call's record never settles it (an instance
    /// that crashed mid-call, a record dropped from a full queue).
    /// </summary>
    /// <value>The default value is ten minutes.</value>
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
