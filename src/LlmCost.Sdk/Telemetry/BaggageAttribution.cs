using OpenTelemetry;

namespace LlmCost.Sdk;

/// <summary>
/// Reads attribution from OpenTelemetry <see cref="Baggage"/> and, when a service provider asked for it
/// (<see cref="LlmCostTelemetryOptions.WriteBaggage"/>), lets <see cref="LlmCostScope"/> write its tags to it.
/// </summary>
internal static class BaggageAttribution
{
    // LlmCostScope is ambient (no service provider), so the write switch is process-wide: a count of the live
    // service providers that turned it on, so disposing one never turns it off for another.
    private static int s_writers;

    public static bool WriteEnabled => Volatile.Read(ref s_writers) > 0;

    public static void AddWriter() => Interlocked.Increment(ref s_writers);

    public static void RemoveWriter() => Interlocked.Decrement(ref s_writers);

    /// <summary>Gets the attribution carried by the current baggage, or <see cref="LlmCostTags.Empty"/> without allocating when there is none.</summary>
    public static LlmCostTags Read()
    {
        var baggage = Baggage.Current;
        if (baggage.Count == 0)
        {
            return LlmCostTags.Empty;
        }

        var feature = Value(baggage, LlmCostTelemetry.FeatureKey);
        var team = Value(baggage, LlmCostTelemetry.TeamKey);
        var customer = Value(baggage, LlmCostTelemetry.CustomerKey);
        var environment = Value(baggage, LlmCostTelemetry.EnvironmentKey);
        return feature is null && team is null && customer is null && environment is null
            ? LlmCostTags.Empty
            : LlmCostTags.CreateReadOnly(feature, team, customer, environment, custom: (Dictionary<string, string>?)null);
    }

    /// <summary>Writes the standard tags to the current baggage and returns the baggage to restore afterwards.</summary>
    public static Baggage Write(LlmCostTags tags)
    {
        var previous = Baggage.Current;
        var baggage = previous;
        baggage = Set(baggage, LlmCostTelemetry.FeatureKey, tags.Feature);
        baggage = Set(baggage, LlmCostTelemetry.TeamKey, tags.Team);
        baggage = Set(baggage, LlmCostTelemetry.CustomerKey, tags.Customer);
        baggage = Set(baggage, LlmCostTelemetry.EnvironmentKey, tags.Environment);
        Baggage.Current = baggage;
        return previous;
    }

    private static string? Value(Baggage baggage, string key) =>
        baggage.GetBaggage(key) is { Length: > 0 } value ? value : null;

    private static Baggage Set(Baggage baggage, string key, string? value) =>
        value is null ? baggage : baggage.SetBaggage(key, value);
}
