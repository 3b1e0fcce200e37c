namespace LlmCost.Sdk;

/// <summary>
/// Receives budget alerts (thresholds, pace, anomaly, loops, refusals). Register with <c>AddBudgetAlertHandler</c>;
/// every registered handler gets every alert.
/// </summary>
/// <remarks>
/// Called off the application's call path, one alert at a time per handler. An exception thrown by a handler is logged and
/// counted; it never reaches an LLM call. Keep the work short or hand it off (a webhook post with a timeout is fine).
/// </remarks>
public interface ILlmBudgetAlertHandler
{
    /// <summary>Handles one alert.</summary>
    /// <param name="alert">The alert.</param>
    /// <param name="cancellationToken">Canceled when the service provider shuts down.</param>
    /// <returns>A task that completes when the alert is handled.</returns>
    Task OnAlertAsync(LlmBudgetAlert alert, CancellationToken cancellationToken);
}
