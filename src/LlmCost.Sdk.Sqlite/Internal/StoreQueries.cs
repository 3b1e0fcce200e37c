namespace LlmCost.Sdk;

/// <summary>Conversions shared by the store's queries.</summary>
internal static class StoreQueries
{
    /// <summary>Unix milliseconds, rounded up so that a stored (truncated) timestamp compares as the exact one would.</summary>
    public static long ToUnixMs(DateTimeOffset value)
    {
        var ms = value.ToUnixTimeMilliseconds();
        return value.UtcTicks % TimeSpan.TicksPerMillisecond == 0 ? ms : ms + 1;
    }
}
