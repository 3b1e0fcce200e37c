namespace LlmCost.Sdk.Tests;

internal static class TestRecords
{
    public static CostRecord Create(int n = 0) => new()
    {
        Id = Guid.CreateVersion7(),
        Timestamp = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero),
        Provider = "openai",
        Operation = "chat",
        Model = "gpt-4o",
        Tags = new LlmCostTags { Feature = "f" + n },
    };

    /// <summary>Polls a condition on the real clock, for effects of background work; fails after the timeout.</summary>
    public static async Task Eventually(Func<bool> condition, int timeoutMs = 5000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail("The condition was not met in time.");
            }

            await Task.Delay(10);
        }
    }
}
