namespace LlmCost.Sdk.Sample.Simulation;

/// <summary>
/// SIMULATED history: five weeks of calls of the sample's four features, made up from a fixed seed so every run shows the
/// same week-over-week change, forecast and anomalies. The records go through the real pipeline
/// (<see cref="ILlmCostTracker.Track"/>), priced by the embedded price table as a live call would be.
/// </summary>
/// <remarks>
/// What the numbers tell: weekends are quiet; code-review had a runaway retry loop 9 days ago (an anomaly); this week
/// chat-assistant moved from gpt-4o-mini to gpt-4o (price and mix) and search-summaries' traffic grew (volume); some
/// calls carry no feature (untagged); an internal preview model has no price (unpriced, never $0).
/// </remarks>
internal static class SpendHistory
{
    private const int Seed = 20261130;

    private sealed record Workload(string? Feature, string? Team, string Provider, string Model, int CallsPerDay, int InputTokens, int OutputTokens, int CachedPercent);

    public static async Task<int> BackfillAsync(ILlmCostTracker tracker, DateTimeOffset now, int days)
    {
        var random = new Random(Seed);
        var repricer = new CostRecordRepricer(PriceTable.Default);
        string[] customers = ["acme", "globex", "initech", "umbrella"];
        var today = new DateOnly(now.UtcDateTime.Year, now.UtcDateTime.Month, now.UtcDateTime.Day);
        var count = 0;
        for (var d = days; d >= 1; d--)
        {
            var day = today.AddDays(-d);
            var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
            var thisWeek = d <= 6; // the last 7 days, today included
            Workload[] workloads =
            [
                new("ticket-triage", "support", "openai", "gpt-4o-mini", 40, 1_900, 120, 60),
                new("chat-assistant", "platform", "openai", thisWeek ? "gpt-4o" : "gpt-4o-mini", 30, 600, 220, 0),
                new("search-summaries", "search", "anthropic", "claude-haiku-4-5", thisWeek ? 45 : 25, 900, 260, 0),
                new("code-review", "dev-productivity", "anthropic", "claude-sonnet-4-5", d == 9 ? 140 : 12, 3_800, 550, 70),
                new(null, null, "openai", "gpt-4o-mini", 8, 700, 150, 0),
                new("labs", "research", "openai", "internal-preview-1", 3, 1_200, 400, 0),
            ];

            foreach (var w in workloads)
            {
                var calls = (int)Math.Round(w.CallsPerDay * (weekend ? 0.3 : 1.0) * (0.85 + (random.NextDouble() * 0.3)));
                for (var i = 0; i < calls; i++)
                {
                    var input = (long)(w.InputTokens * (0.7 + (random.NextDouble() * 0.6)));
                    var record = new CostRecord
                    {
                        Id = NextGuid(random),
                        Timestamp = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddSeconds(random.Next(86_400)),
                        Provider = w.Provider,
                        Operation = "chat",
                        Model = w.Model,
                        RequestModel = w.Model,
                        Streaming = random.Next(2) == 0,
                        StatusCode = 200,
                        DurationMs = 300 + random.Next(2_500),
                        Tags = new LlmCostTags { Feature = w.Feature, Team = w.Team, Customer = customers[random.Next(customers.Length)], Environment = "sample" },
                        Usage = new TokenUsage
                        {
                            InputTokens = input,
                            CachedInputTokens = input * w.CachedPercent / 100,
                            OutputTokens = (long)(w.OutputTokens * (0.6 + (random.NextDouble() * 0.8))),
                            Source = UsageSource.Provider,
                        },
                    };

                    if (!tracker.Track(repricer.Reprice(record)))
                    {
                        await tracker.FlushAsync();
                        tracker.Track(repricer.Reprice(record));
                    }

                    count++;
                }
            }

            await tracker.FlushAsync(); // a day at a time, well inside the queue's capacity
        }

        return count;
    }

    private static Guid NextGuid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
