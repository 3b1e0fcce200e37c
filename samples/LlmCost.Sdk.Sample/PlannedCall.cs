namespace LlmCost.Sdk.Sample;

/// <summary>One LLM call the sample makes, and who it is made for.</summary>
/// <param name="Feature">The product feature making the call.</param>
/// <param name="Team">The team that owns the feature, or <see langword="null"/> to fall back to the client's default team.</param>
/// <param name="Customer">The customer (tenant) the call is made for.</param>
/// <param name="Provider">Which provider answers.</param>
/// <param name="Streaming">Whether the response is streamed (server-sent events).</param>
/// <param name="Instructions">The system prompt.</param>
/// <param name="Prompt">The user message.</param>
/// <param name="MaxOutputTokens">The cap on output tokens.</param>
/// <param name="CacheInstructions">Whether to mark the system prompt for Anthropic's prompt cache.</param>
internal sealed record PlannedCall(
    string Feature,
    string? Team,
    string Customer,
    LlmProvider Provider,
    bool Streaming,
    string Instructions,
    string Prompt,
    int MaxOutputTokens,
    bool CacheInstructions = false);
