namespace LlmCost.Sdk.Tests;

/// <summary>A clock that always says the same UTC time; timers and delays run on the system's (so pipelines flush as usual).</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;

    /// <summary>A UTC time.</summary>
    public static FixedClock Utc(int year, int month, int day, int hour, int minute = 0) =>
        new(new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero));
}
