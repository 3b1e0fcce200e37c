namespace LlmCost.Sdk;

/// <summary>
/// A provider pinned on one HTTP client (<see cref="LlmCostClientOptions.Provider"/>) that is not one of
/// <see cref="LlmProviders"/>: validated at start-up against the providers the price table knows, naming the client.
/// </summary>
internal sealed record PinnedClientProvider(string ClientName, string Provider);
