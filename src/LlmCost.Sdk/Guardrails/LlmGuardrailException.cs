namespace LlmCost.Sdk;

/// <summary>
/// The base of the exceptions a guardrail throws when it refuses an LLM call before the call is sent: no byte of the
/// refused request reached the network.
/// </summary>
/// <remarks>
/// <para>
/// It derives from <see cref="InvalidOperationException"/>: the call is not valid while the guardrail's limit holds, and
/// sending it again cannot help. The official OpenAI SDK (System.ClientModel's <c>ClientRetryPolicy</c> with the default
/// <c>PipelineMessageClassifier</c>) retries only <see cref="System.IO.IOException"/>, transport failures and an
/// <see cref="OperationCanceledException"/> the caller did not request; the Anthropic SDK only I/O errors and such an
/// <see cref="OperationCanceledException"/> (its timeout);
/// <c>Microsoft.Extensions.Http.Resilience</c>'s standard handler only <see cref="HttpRequestException"/> and timeouts:
/// none of them retries it, and it reaches the application unchanged through them, through <see cref="HttpClient"/> and
/// through Microsoft.Extensions.AI.
/// </para>
/// <para>
/// Polly's default retry predicate retries every exception except <see cref="OperationCanceledException"/>, the one type
/// both SDKs retry (the OpenAI SDK then wraps the tries in an <see cref="AggregateException"/>): no base type escapes
/// every default. Handler order does it instead: on an <c>IHttpClientFactory</c> client with <c>AddLlmCostTracking</c>,
/// the guardrails' pre-flight runs before every handler the application added to the client (Polly's
/// <c>AddResilienceHandler</c>, <c>AddStandardResilienceHandler</c>, registered before or after the cost handler, on the
/// client or in <c>ConfigureHttpClientDefaults</c>), so no retry handler sees a refusal: it is thrown at once, with no
/// retry and no delay, recorded once, and nothing is sent. A retry of a real failure (a 429, a 500) behind it is one
/// reservation, settled once to what the attempts cost.
/// </para>
/// <para>
/// A Polly pipeline around the application's own code (wrapping <c>HttpClient.SendAsync</c> or an SDK call) cannot be
/// reached by handler order: its predicate should exclude refusals with <see cref="IsRefusal"/>:
/// <c>ShouldHandle = new PredicateBuilder().Handle&lt;Exception&gt;(e =&gt; !LlmGuardrailException.IsRefusal(e))</c>.
/// Without that, each retry is refused again before it is sent (no request reaches the provider), each refused call is
/// recorded, and the last refusal is thrown. A handler-built <see cref="HttpClient"/> (<c>ILlmCostTracker.CreateHandler</c>)
/// has no outer handler: put the cost handler outermost, or use the predicate.
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

    /// <summary>
    /// Whether an exception is a guardrail's refusal or carries one: itself, its <see cref="Exception.InnerException"/>
    /// chain, and every inner exception of an <see cref="AggregateException"/> (the OpenAI SDK wraps the tries of a
    /// retried call in one). For the retry predicate of a Polly pipeline around the application's own code:
    /// <c>ShouldHandle = new PredicateBuilder().Handle&lt;Exception&gt;(e =&gt; !LlmGuardrailException.IsRefusal(e))</c>.
    /// </summary>
    /// <param name="exception">The exception, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when it is or wraps an <see cref="LlmGuardrailException"/>.</returns>
    public static bool IsRefusal(Exception? exception) => IsOrWrapsRefusal(exception, depth: 0);

    private static bool IsOrWrapsRefusal(Exception? exception, int depth)
    {
        for (; exception is not null && depth < 64; depth++)
        {
            switch (exception)
            {
                case LlmGuardrailException:
                    return true;
                case AggregateException aggregate:
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        if (IsOrWrapsRefusal(inner, depth + 1))
                        {
                            return true;
                        }
                    }

                    return false;
                default:
                    exception = exception.InnerException;
                    break;
            }
        }

        return false;
    }

    /// <summary>Gets the <c>errorType</c> the refused call's record carries (such as <c>budget_exceeded</c>).</summary>
    public string ErrorType { get; }

    /// <summary>Gets the name of the budget whose guardrail refused the call.</summary>
    public abstract string BudgetName { get; }

    /// <summary>Gets the scope of the refusal: the scope fields of the budget, with the call's values (such as <c>customer</c> = <c>acme</c>).</summary>
    public abstract IReadOnlyDictionary<string, string> Scope { get; }
}
