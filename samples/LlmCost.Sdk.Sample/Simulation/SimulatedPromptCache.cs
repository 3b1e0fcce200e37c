using System.Collections.Concurrent;

namespace LlmCost.Sdk.Sample.Simulation;

/// <summary>
/// Remembers which prompt prefixes the simulated providers have seen, so the first call with a long system prompt
/// writes it to the "cache" and later calls read it, as the real prompt caches do.
/// </summary>
internal sealed class SimulatedPromptCache
{
    private readonly ConcurrentDictionary<string, bool> _prefixes = new(StringComparer.Ordinal);

    /// <summary>Returns <see langword="true"/> when an earlier call cached this prefix; otherwise caches it and returns <see langword="false"/>.</summary>
    public bool TryRead(string provider, string prefix) => !_prefixes.TryAdd(provider + "\n" + prefix, true);
}
