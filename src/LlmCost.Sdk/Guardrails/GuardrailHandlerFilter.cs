using Microsoft.Extensions.Http;

namespace LlmCost.Sdk;

/// <summary>
/// Puts the guardrails' pre-flight (<see cref="GuardrailHandler"/>) in front of every handler of an
/// <c>IHttpClientFactory</c> client that has the cost-tracking handler behind other handlers, after all of the client's
/// configuration ran (named, typed and <c>ConfigureHttpClientDefaults</c> clients alike, whatever the order of
/// <c>AddLlmCostTracking</c> and the retry handlers). A client whose tracking handler is already the first needs none: its
/// own check is outermost. Nothing is added when no budget is configured.
/// </summary>
internal sealed class GuardrailHandlerFilter : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return builder =>
        {
            next(builder);
            var handlers = builder.AdditionalHandlers;
            for (var i = 1; i < handlers.Count; i++)
            {
                if (handlers[i] is CostTrackingHandler tracking && tracking.Tracker.Guardrails is { } guard)
                {
                    handlers.Insert(0, new GuardrailHandler(tracking.Tracker, guard, tracking.ClientDefaults, tracking.Provider));
                    return;
                }
            }
        };
    }
}
