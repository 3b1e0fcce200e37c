namespace LlmCost.Sdk;

/// <summary>
/// Thrown instead of sending an LLM call whose exact request body was already sent <see cref="LlmBudgetOptions.LoopThreshold"/>
/// times within <see cref="LlmBudgetOptions.LoopWindow"/> in one scope, when the budget refuses loops. The call never
/// reached the network; it is recorded once with <c>errorType</c> <c>loop_detected</c>.
/// </summary>
public sealed class LlmLoopDetectedException : LlmGuardrailException
{
    /// <summary>The <c>errorType</c> of a call refused by loop detection: <c>loop_detected</c>.</summary>
    public const string LoopErrorType = "loop_detected";

    /// <summary>Initializes a new instance of the <see cref="LlmLoopDetectedException"/> class.</summary>
    /// <param name="budgetName">The budget.</param>
    /// <param name="scope">The scope fields with the call's values.</param>
    /// <param name="count">How many times the body was seen in the window, this call included.</param>
    public LlmLoopDetectedException(string budgetName, IReadOnlyDictionary<string, string> scope, int count)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The same LLM request was sent {count} times within the loop window of budget '{budgetName}'."), LoopErrorType)
    {
        ArgumentNullException.ThrowIfNull(scope);
        BudgetName = budgetName;
        Scope = scope;
        Count = count;
    }

    /// <inheritdoc />
    public override string BudgetName { get; }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Scope { get; }

    /// <summary>Gets how many times the same body was seen in the window, this call included.</summary>
    public int Count { get; }
}
