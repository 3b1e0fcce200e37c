namespace LlmCost.Sdk.Sample.Simulation;

/// <summary>Deterministic reply text and length for the simulated providers.</summary>
internal static class SimulatedReply
{
    private static readonly string[] Vocabulary =
        ["(simulated)", "Here", "is", "a", "short", "answer", "based", "on", "the", "request", "and", "its", "context", "."];

    /// <summary>How many output tokens a reply has: derived from the input size, capped by the request's limit.</summary>
    public static int OutputTokens(SimulatedRequest request) => Math.Min(request.MaxOutputTokens, 24 + (request.InputTokens * 7 % 180));

    /// <summary>The reply as text pieces of one token each, each but the first with its leading space.</summary>
    public static string[] Tokens(int count) =>
        [.. Enumerable.Range(0, count).Select(i => (i == 0 ? string.Empty : " ") + Vocabulary[i % Vocabulary.Length])];
}
