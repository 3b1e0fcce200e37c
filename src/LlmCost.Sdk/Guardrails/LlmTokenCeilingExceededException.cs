namespace LlmCost.Sdk;

/// <summary>
/// Thrown instead of sending an LLM call that asks for more output tokens than a budget's ceiling
/// (<see cref="LlmBudgetOptions.MaxOutputTokens"/>) when the budget does not clamp. The call never reached the network;
/// it is recorded once with <c>errorType</c> <c>token_ceiling_exceeded</c>.
/// </summary>
public sealed class LlmTokenCeilingExceededException : LlmGuardrailException
{
    /// <summary>The <c>errorType</c> of a call refused by a token ceiling: <c>token_ceiling_exceeded</c>.</summary>
    public const string CeilingErrorType = "token_ceiling_exceeded";

    /// <summary>Initializes a new instance of the <see cref="LlmTokenCeilingExceededException"/> class.</summary>
    /// <param name="budgetName">The budget.</param>
    /// <param name="scope">The scope fields with the call's values.</param>
    /// <param name="requested">The output tokens the request asked for.</param>
    /// <param name="ceiling">The ceiling.</param>
    public LlmTokenCeilingExceededException(string budgetName, IReadOnlyDictionary<string, string> scope, long requested, long ceiling)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The LLM call asks for {requested} output tokens; budget '{budgetName}' allows {ceiling}."), CeilingErrorType)
    {
        ArgumentNullException.ThrowIfNull(scope);
        BudgetName = budgetName;
        Scope = scope;
        Requested = requested;
        Ceiling = ceiling;
    }

    /// <inheritdoc />
    public override string BudgetName { get; }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Scope { get; }

    /// <summary>Gets the output tokens the request asked for.</summary>
    public long Requested { get; }

    /// <summary>Gets the ceiling.</summary>
    public long Ceiling { get; }
}
