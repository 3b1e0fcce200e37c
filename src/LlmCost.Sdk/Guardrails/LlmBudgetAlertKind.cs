namespace LlmCost.Sdk;

/// <summary>Why a budget alert fired.</summary>
public enum LlmBudgetAlertKind
{
    /// <summary>The spend reached one of <see cref="LlmBudgetOptions.AlertThresholds"/> (once per threshold per window).</summary>
    Threshold = 0,

    /// <summary>The spend so far, projected linearly to the window's end, exceeds the limit (<see cref="LlmBudgetOptions.PaceAlert"/>).</summary>
    Pace = 1,

    /// <summary>Today's spend exceeds the trailing daily mean times <see cref="LlmBudgetOptions.AnomalyFactor"/>.</summary>
    Anomaly = 2,

    /// <summary>The same request body was sent <see cref="LlmBudgetOptions.LoopThreshold"/> times within the loop window.</summary>
    Loop = 3,

    /// <summary>A call was refused by a hard cap (<see cref="LlmBudgetEnforcement.Refuse"/>), once per window.</summary>
    Refused = 4,
}
