namespace LlmCost.Sdk;

/// <summary>
/// The base of the exceptions a guardrail throws when it refuses an LLM call before the call is sent: no byte of the
/// refused request reached the network.
/// </summary>
/// <remarks>
/// It derives from <see cref="OperationCanceledException"/> on purpose: the call was stopped, not failed, and retrying it
/// cannot help. Polly's default retry predicate and <c>Microsoft.Extensions.Http.Resilience</c>'s standard handler do
/// not retry an <see cref="OperationCanceledException"/> (nor anything that is not an <see cref="HttpRequestException"/>
/// or a timeout), and <see cref="HttpClient"/>, the OpenAI and Anthropic SDKs and Microsoft.Extensions.AI pass it to the
/// application unchanged. Catch it by type (or catch <see cref="OperationCanceledException"/> and test for it) where the
/// application handles cancellation.
/// </remarks>
public abstract class LlmGuardrailException : OperationCanceledException
{
    /// <summary>Initializes a new instance of the <see cref="LlmGuardrailException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="errorType">The <c>errorType</c> of the refused call's record.</param>
    protected LlmGuardrailException(string message, string errorType)
        : base(message)
    {
        ErrorType = errorType;
    }

    /// <summary>Gets the <c>errorType</c> the refused call's record carries (such as <c>budget_exceeded</c>).</summary>
    public string ErrorType { get; }

    /// <summary>Gets the name of the budget whose guardrail refused the call.</summary>
    public abstract string BudgetName { get; }

    /// <summary>Gets the scope of the refusal: the scope fields of the budget, with the call's values (such as <c>customer</c> = <c>acme</c>).</summary>
    public abstract IReadOnlyDictionary<string, string> Scope { get; }
}
