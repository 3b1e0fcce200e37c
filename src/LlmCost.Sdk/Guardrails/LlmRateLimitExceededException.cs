namespace LlmCost.Sdk;

/// <summary>
/// Thrown instead of sending an LLM call when a budget's rate limit (<see cref="LlmBudgetOptions.RequestsPerWindow"/>,
/// <see cref="LlmBudgetOptions.TokensPerWindow"/>) is reached in the call's scope. The call never reached the network; it
/// is recorded once with <c>errorType</c> <c>rate_limited</c>.
/// </summary>
public sealed class LlmRateLimitExceededException : LlmGuardrailException
{
    /// <summary>The <c>errorType</c> of a call refused by a rate limit: <c>rate_limited</c>.</summary>
    public const string RateLimitedErrorType = "rate_limited";

    /// <summary>Initializes a new instance of the <see cref="LlmRateLimitExceededException"/> class.</summary>
    /// <param name="budgetName">The budget.</param>
    /// <param name="scope">The scope fields with the call's values.</param>
    /// <param name="retryAfter">When a call may be accepted again, if known.</param>
    public LlmRateLimitExceededException(string budgetName, IReadOnlyDictionary<string, string> scope, TimeSpan? retryAfter)
        : base($"LLM rate limit of budget '{budgetName}' reached; retry after {retryAfter?.ToString("c", System.Globalization.CultureInfo.InvariantCulture) ?? "the window"}.", RateLimitedErrorType)
    {
        ArgumentNullException.ThrowIfNull(scope);
        BudgetName = budgetName;
        Scope = scope;
        RetryAfter = retryAfter;
    }

    /// <inheritdoc />
    public override string BudgetName { get; }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Scope { get; }

    /// <summary>Gets how long to wait before the scope accepts calls again, or <see langword="null"/> when unknown.</summary>
    public TimeSpan? RetryAfter { get; }
}
