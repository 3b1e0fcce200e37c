namespace LlmCost.Sdk;

/// <summary>
/// One budget: a scope (which calls it counts), a window, a limit in USD (and optionally in tokens), what happens at the
/// limit, and alerts. Added with <c>AddBudget(name, configure)</c> or bound from configuration under
/// <c>LlmCost:Budgets:{name}</c> (the keys are the property names: <c>Feature</c>, <c>Team</c>, <c>Customer</c>,
/// <c>Environment</c>, <c>Provider</c>, <c>Model</c>, <c>Window</c>, <c>TimeZone</c>, <c>Limit</c>, <c>Enforcement</c>,
/// <c>AlertThresholds</c>).
/// </summary>
/// <remarks>
/// <para>
/// Each scope field is <see langword="null"/> (any value), a value (only calls with that value), or <c>*</c> (each
/// distinct value gets its own budget, such as one per customer; calls without a value are not counted). Values are
/// compared with the call's attribution (the same tags its record carries); <see cref="Provider"/> with the
/// <c>gen_ai.provider.name</c> value and <see cref="Model"/> with the model the request asks for (case-insensitive).
/// </para>
/// <para>Validated at start-up: an invalid budget fails the host's start with a message naming the budget and the field.</para>
/// </remarks>
public sealed class LlmBudgetOptions
{
    /// <summary>The value of a scope field that gives each distinct value its own budget: <c>*</c>.</summary>
    public const string EachValue = "*";

    /// <summary>Gets or sets the feature the budget counts, <c>*</c> for one budget per feature, or <see langword="null"/> for any.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Feature { get; set; }

    /// <summary>Gets or sets the team the budget counts, <c>*</c> for one budget per team, or <see langword="null"/> for any.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Team { get; set; }

    /// <summary>Gets or sets the customer the budget counts, <c>*</c> for one budget per customer, or <see langword="null"/> for any.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Customer { get; set; }

    /// <summary>Gets or sets the environment the budget counts, <c>*</c> for one budget per environment, or <see langword="null"/> for any.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Environment { get; set; }

    /// <summary>Gets or sets the provider (<see cref="LlmProviders"/>) the budget counts, <c>*</c> for one budget per provider, or <see langword="null"/> for any.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Provider { get; set; }

    /// <summary>Gets or sets the requested model the budget counts, <c>*</c> for one budget per model, or <see langword="null"/> for any.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Model { get; set; }

    /// <summary>Gets the custom tags in scope: each key is a custom tag, each value a value or <c>*</c> (configuration key <c>Tags</c>).</summary>
    /// <value>The default value is an empty dictionary.</value>
    public IDictionary<string, string> Tags { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the window: <c>Day</c>, <c>Week</c> (starting Monday) or <c>Month</c>, calendar-aligned in
    /// <see cref="TimeZone"/>; or a duration such as <c>01:00:00</c> or <c>7.00:00:00</c> for a rolling window (the last
    /// duration up to now, counted in 20 slices, so it rolls forward one slice at a time).
    /// </summary>
    /// <value>The default value is <c>Day</c>.</value>
    public string Window { get; set; } = "Day";

    /// <summary>Gets or sets the IANA time zone that calendar windows are aligned in (for example <c>Europe/Berlin</c>).</summary>
    /// <value>The default value is <c>UTC</c>.</value>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Gets or sets the limit in USD per window, or <see langword="null"/> for no money limit.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public decimal? Limit { get; set; }

    /// <summary>Gets or sets the limit in tokens (input plus output) per window, or <see langword="null"/> for none.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public long? TokenLimit { get; set; }

    /// <summary>Gets or sets what happens at the limit.</summary>
    /// <value>The default value is <see cref="LlmBudgetEnforcement.Warn"/>.</value>
    public LlmBudgetEnforcement Enforcement { get; set; } = LlmBudgetEnforcement.Warn;

    /// <summary>
    /// Gets or sets the fractions of the limit at which an alert fires, each once per window (for example <c>0.5</c>,
    /// <c>0.8</c>, <c>1.0</c>); <see langword="null"/> for the defaults, empty for none.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: 0.5, 0.8 and 1.0.</value>
    public IList<decimal>? AlertThresholds { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a pace alert fires (once per window) when the spend so far, projected
    /// linearly to the window's end, exceeds the limit. Checked once a tenth of the window has passed; not for rolling windows.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool PaceAlert { get; set; }

    /// <summary>
    /// Gets or sets the factor for the anomaly alert: it fires (once per day) when today's spend in a scope exceeds its mean
    /// daily spend over the previous <see cref="AnomalyDays"/> days times this factor; <see langword="null"/> for no anomaly alert.
    /// Checked once the scope has a full history (it spent on the oldest of those days); days are in <see cref="TimeZone"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public decimal? AnomalyFactor { get; set; }

    /// <summary>Gets or sets how many previous days the anomaly alert's mean covers.</summary>
    /// <value>The default value is 7.</value>
    public int AnomalyDays { get; set; } = 7;

    /// <summary>
    /// Gets or sets the most output tokens a call in scope may ask for (the token ceiling), or <see langword="null"/> for none.
    /// A call asking for more is refused with <see cref="LlmTokenCeilingExceededException"/>, or clamped when
    /// <see cref="ClampOutputTokens"/> is set.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? MaxOutputTokens { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a call asking for more than <see cref="MaxOutputTokens"/> is clamped (its
    /// max-tokens field rewritten to the ceiling, every other byte of the body kept) rather than refused.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool ClampOutputTokens { get; set; }

    /// <summary>Gets or sets the most requests per <see cref="RateLimitWindow"/> in each scope, or <see langword="null"/> for no request rate limit.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? RequestsPerWindow { get; set; }

    /// <summary>Gets or sets the most estimated tokens (input plus worst-case output) per <see cref="RateLimitWindow"/> in each scope, or <see langword="null"/> for none.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? TokensPerWindow { get; set; }

    /// <summary>Gets or sets the window of the rate limits (a fixed window per instance).</summary>
    /// <value>The default value is one minute.</value>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how many calls over the rate limit wait for the next window instead of being refused.</summary>
    /// <value>The default value is 0: calls over the limit are refused with <see cref="LlmRateLimitExceededException"/>.</value>
    public int RateLimitQueue { get; set; }

    /// <summary>
    /// Gets or sets how many times the same request body may be sent within <see cref="LoopWindow"/> in one scope before
    /// a loop alert fires, or <see langword="null"/> for no loop detection.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? LoopThreshold { get; set; }

    /// <summary>Gets or sets the window of loop detection.</summary>
    /// <value>The default value is five minutes.</value>
    public TimeSpan LoopWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets a value indicating whether a call that reaches <see cref="LoopThreshold"/> is refused with <see cref="LlmLoopDetectedException"/> (otherwise it only alerts).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool RefuseLoops { get; set; }
}
