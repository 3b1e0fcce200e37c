using System.Text.Json;

namespace LlmCost.Sdk.Extensions.AI;

/// <summary>
/// Reads what the Anthropic SDK's <c>AsIChatClient</c> adapter (13.x) leaves out of <see cref="Microsoft.Extensions.AI.UsageDetails"/>:
/// the one-hour part of the cache writes (<c>usage.cache_creation.ephemeral_1h_input_tokens</c>, billed at its own rate)
/// and the served tier (<c>usage.service_tier</c>), from the response's raw representation.
/// </summary>
/// <remarks>
/// The adapter's <c>RawRepresentation</c> is the SDK's <c>Message</c> (a response) or <c>RawMessageStreamEvent</c> (each
/// streamed update; the first is <c>message_start</c>, which carries the usage of the input). Their <c>ToString()</c>
/// prints the provider's own JSON (the SDK's <c>JsonModel</c> keeps the raw JSON and prints it), which is read here: no
/// reference to the Anthropic SDK and no reflection. Read once per call; other raw types are not touched.
/// </remarks>
internal static class AnthropicRawUsage
{
    public static bool Applies(object raw)
    {
        var type = raw.GetType();
        return type.Namespace is "Anthropic.Models.Messages" or "Anthropic.Models.Beta.Messages"
            && type.Name is "Message" or "BetaMessage" or "RawMessageStreamEvent" or "BetaRawMessageStreamEvent";
    }

    /// <summary>Reads the tier and one-hour cache writes; unknown values stay <see langword="null"/> and 0.</summary>
    public static void Read(object raw, out string? serviceTier, out long cacheWrite1h)
    {
        serviceTier = null;
        cacheWrite1h = 0;
        if (raw.ToString() is not { Length: > 0 } json)
        {
            return;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        // A message_start event nests the message; a message_delta event and a message carry usage at the top.
        if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
        {
            root = message;
        }

        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (usage.TryGetProperty("service_tier", out var tier) && tier.ValueKind == JsonValueKind.String)
        {
            serviceTier = tier.GetString();
        }

        if (usage.TryGetProperty("cache_creation", out var creation) && creation.ValueKind == JsonValueKind.Object
            && creation.TryGetProperty("ephemeral_1h_input_tokens", out var oneHour) && oneHour.TryGetInt64(out var tokens) && tokens > 0)
        {
            cacheWrite1h = tokens;
        }
    }
}
