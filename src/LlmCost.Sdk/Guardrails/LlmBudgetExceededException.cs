namespace LlmCost.Sdk;

/// <summary>
/// Thrown instead of sending an LLM call when a budget with <see cref="LlmBudgetEnforcement.Refuse"/> would go over its
/// limit: what the window has spent (settled and reserved by calls in flight) plus this call's worst-case estimate
/// exceeds the limit. The call never reached the network; it is recorded once with <c>errorType</c> <c>budget_exceeded</c>.
/// </summary>
public sealed class LlmBudgetExceededException : LlmGuardrailException
{
    /// <summary>The <c>errorType</c> of a call refused by a budget: <c>budget_exceeded</c>.</summary>
    public const string BudgetExceededErrorType = "budget_exceeded";

    /// <summary>Initializes a new instance of the <see cref="LlmBudgetExceededException"/> class.</summary>
    /// <param name="budgetName">The budget.</param>
    /// <param name="scope">The scope fields with the call's values.</param>
    /// <param name="windowStart">The start of the window.</param>
    /// <param name="windowEnd">The end of the window.</param>
    /// <param name="spent">What the window has spent in USD, including the reservations of calls in flight.</param>
    /// <param name="limit">The limit in USD (or <see langword="null"/> when the token limit refused the call).</param>
    /// <param name="estimatedCost">The call's worst-case estimated cost in USD.</param>
    /// <param name="tokensSpent">The tokens the window has used, including reservations.</param>
    /// <param name="tokenLimit">The token limit, if any.</param>
    /// <param name="estimatedTokens">The call's worst-case estimated tokens.</param>
    public LlmBudgetExceededException(
        string budgetName,
        IReadOnlyDictionary<string, string> scope,
        DateTimeOffset windowStart,
        DateTimeOffset windowEnd,
        decimal spent,
        decimal? limit,
        decimal estimatedCost,
        long tokensSpent = 0,
        long? tokenLimit = null,
        long estimatedTokens = 0)
        : base(Format(budgetName, spent, limit, estimatedCost, tokensSpent, tokenLimit, estimatedTokens, windowEnd), BudgetExceededErrorType)
    {
        ArgumentNullException.ThrowIfNull(scope);
        BudgetName = budgetName;
        Scope = scope;
        WindowStart = windowStart;
        WindowEnd = windowEnd;
        Spent = spent;
        Limit = limit;
        EstimatedCost = estimatedCost;
        TokensSpent = tokensSpent;
        TokenLimit = tokenLimit;
        EstimatedTokens = estimatedTokens;
    }

    /// <inheritdoc />
    public override string BudgetName { get; }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Scope { get; }

    /// <summary>Gets the start of the budget's window.</summary>
    public DateTimeOffset WindowStart { get; }

    /// <summary>Gets the end of the budget's window (exclusive).</summary>
    public DateTimeOffset WindowEnd { get; }

    /// <summary>Gets what the window has spent in USD, including the reservations of calls in flight.</summary>
    public decimal Spent { get; }

    /// <summary>Gets the limit in USD, or <see langword="null"/> when only a token limit is set.</summary>
    public decimal? Limit { get; }

    /// <summary>Gets the refused call's worst-case estimated cost in USD.</summary>
    public decimal EstimatedCost { get; }

    /// <summary>Gets the tokens the window has used, including reservations.</summary>
    public long TokensSpent { get; }

    /// <summary>Gets the token limit, or <see langword="null"/>.</summary>
    public long? TokenLimit { get; }

    /// <summary>Gets the refused call's worst-case estimated tokens.</summary>
    public long EstimatedTokens { get; }

    private static string Format(string name, decimal spent, decimal? limit, decimal estimate, long tokensSpent, long? tokenLimit, long estimatedTokens, DateTimeOffset end) =>
        limit is { } l && spent + estimate > l
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"LLM budget '{name}' would be exceeded: spent {spent} USD of {l} USD, and this call may cost up to {estimate} USD. The window ends at {end:O}.")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"LLM budget '{name}' would be exceeded: used {tokensSpent} tokens of {tokenLimit}, and this call may use up to {estimatedTokens}. The window ends at {end:O}.");
}
