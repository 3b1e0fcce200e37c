namespace LlmCost.Sdk;

/// <summary>
/// The base of the exceptions a guardrail throws when it refuses an LLM call before the call is sent: no byte of the
/// refused request reached the network.
/// </summary>
/// <remarks>
/// <para>
/// It derives from <see cref="InvalidOperationException"/>: the call is not valid while the guardrail's limit holds, and
/// sending it again cannot help. The official OpenAI (System.ClientModel's <c>ClientRetryPolicy</c>) and Anthropic SDKs
/// retry only I/O errors and cancellations the caller did not request, and <c>Microsoft.Extensions.Http.Resilience</c>'s
/// standard handler only <see cref="HttpRequestException"/> and timeouts: none of them retries it, and it reaches the
/// application unchanged through them, through <see cref="HttpClient"/> and through Microsoft.Extensions.AI. (An
/// <see cref="OperationCanceledException"/> would be retried by both SDKs, as a timeout.)
/// </para>
/// <para>
/// Polly's default retry predicate retries every exception except <see cref="OperationCanceledException"/>; a pipeline
/// built with it around an LLM call should exclude refusals:
/// <c>ShouldHandle = new PredicateBuilder().Handle&lt;Exception&gt;(e =&gt; e is not LlmGuardrailException)</c>. Without
/// that, each retry is refused again before it is sent (no request reaches the provider) and the last refusal is thrown.
/// </para>
/// </remarks>
public abstract class LlmGuardrailException : InvalidOperationException
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
