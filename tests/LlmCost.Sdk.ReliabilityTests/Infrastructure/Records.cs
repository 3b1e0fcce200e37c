using System.Globalization;

namespace LlmCost.Sdk.ReliabilityTests;

internal static class Records
{
    public static CostRecord Create(int n = 0) => new()
    {
        Id = Guid.CreateVersion7(),
        Timestamp = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero),
        Provider = "openai",
        Operation = "chat",
        Model = "gpt-4o",
        Tags = new LlmCostTags { Feature = "f", Custom = { ["n"] = n.ToString(CultureInfo.InvariantCulture) } },
    };

    public static int N(CostRecord record) => int.Parse(record.Tags.Custom["n"], CultureInfo.InvariantCulture);

    /// <summary>Polls a condition on the real clock, for effects of background work; fails after the timeout.</summary>
    public static async Task Eventually(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail("The condition was not met in time.");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>A fresh folder under the test run's temporary folder, removed by the caller.</summary>
    public static string NewFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "llmcost-reliability", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
