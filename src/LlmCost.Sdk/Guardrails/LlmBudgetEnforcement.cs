namespace LlmCost.Sdk;

/// <summary>What a budget does when its limit is reached.</summary>
public enum LlmBudgetEnforcement
{
    /// <summary>Alerts only: calls go on (configuration value <c>Warn</c>).</summary>
    Warn = 0,

    /// <summary>A hard cap: a call whose worst-case cost would take the window over the limit is refused before it is sent (configuration value <c>Refuse</c>).</summary>
    Refuse = 1,
}
