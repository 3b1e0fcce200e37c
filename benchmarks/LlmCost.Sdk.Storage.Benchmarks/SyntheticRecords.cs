namespace LlmCost.Sdk.Storage.Benchmarks;

/// <summary>
/// Deterministic records shaped like a busy app's month: 3 providers and 6 models, 20 features, 5 teams, 100 customers,
/// 3 environments, about 5% unpriced, spread evenly over 30 days from 2026-11-01 UTC.
/// </summary>
internal static class SyntheticRecords
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Span = TimeSpan.FromDays(30);

    private static readonly (string Provider, string Model, decimal InputRate, decimal OutputRate)[] Models =
    [
        ("openai", "gpt-4o-2024-08-06", 2.5m, 10m),
        ("openai", "gpt-4o-mini-2024-07-18", 0.15m, 0.6m),
        ("anthropic", "claude-sonnet-4-5-20250929", 3m, 15m),
        ("anthropic", "claude-haiku-4-5-20251001", 1m, 5m),
        ("gcp.gemini", "gemini-2.5-flash", 0.3m, 2.5m),
        ("gcp.gemini", "gemini-2.5-pro", 1.25m, 10m),
    ];

    private static readonly string[] Environments = ["production", "staging", "development"];

    /// <summary>
    /// Record number <paramref name="n"/> of <paramref name="total"/> shaped like one production app rather than uniform
    /// noise: the same models, 20 features and 100 customers, but features and customers used with Zipf-like frequencies
    /// (the first of each the busiest), each feature owned by one team and calling mostly one model, and 95% of calls in
    /// production. Every other field as <see cref="Create"/>.
    /// </summary>
    public static CostRecord CreateSkewed(long n, long total)
    {
        var random = new Random(unchecked((int)n * 7919) ^ 0x5EED);
        var uniform = Create(n, total);
        var feature = random.Next(10) == 0 ? (int?)null : Zipf(random, 20);
        var modelIndex = feature is { } f && random.Next(10) != 0 ? f % Models.Length : random.Next(Models.Length);
        var model = Models[modelIndex];
        var customer = Zipf(random, 100);
        var environment = random.Next(100) switch { < 95 => "production", < 99 => "staging", _ => "development" };
        var unpriced = uniform.Cost is null;
        var input = uniform.Usage.InputTokens;
        var cached = uniform.Usage.CachedInputTokens;
        var output = uniform.Usage.OutputTokens;
        var perToken = 0.000001m;
        var cost = ((input - cached) * model.InputRate * perToken) + (cached * model.InputRate * 0.1m * perToken) + (output * model.OutputRate * perToken);
        return uniform with
        {
            Provider = model.Provider,
            Model = unpriced ? "in-house-" + random.Next(3) : model.Model,
            RequestModel = model.Model,
            Tags = new LlmCostTags
            {
                Feature = feature is { } id ? "feature-" + id : null,
                Team = "team-" + ((feature ?? 0) % 5),
                Customer = "customer-" + customer,
                Environment = environment,
            },
            Cost = unpriced ? null : new CostBreakdown { Input = cost, Total = cost },
            Price = unpriced ? null : new PriceReference { TableVersion = "2026.11.3", Entry = model.Provider + "/" + model.Model, EffectiveFrom = new DateOnly(2025, 1, 1) },
        };
    }

    /// <summary>0 … <paramref name="count"/>−1 with probability proportional to 1/(k+1).</summary>
    private static int Zipf(Random random, int count)
    {
        var harmonic = 0d;
        for (var k = 1; k <= count; k++)
        {
            harmonic += 1d / k;
        }

        var target = random.NextDouble() * harmonic;
        for (var k = 1; k <= count; k++)
        {
            target -= 1d / k;
            if (target <= 0)
            {
                return k - 1;
            }
        }

        return count - 1;
    }

    /// <summary>Record number <paramref name="n"/> of <paramref name="total"/> (the same for the same arguments).</summary>
    public static CostRecord Create(long n, long total)
    {
        var random = new Random(unchecked((int)n * 7919));
        var model = Models[random.Next(Models.Length)];
        var input = random.Next(50, 4000);
        var cached = random.Next(0, input / 2);
        var output = random.Next(10, 1200);
        var unpriced = random.Next(20) == 0;
        var perToken = 0.000001m;
        var cost = ((input - cached) * model.InputRate * perToken) + (cached * model.InputRate * 0.1m * perToken) + (output * model.OutputRate * perToken);
        var timestamp = Start.AddTicks(Span.Ticks / total * n);
        return new CostRecord
        {
            Id = Guid.CreateVersion7(timestamp),
            Timestamp = timestamp,
            Provider = model.Provider,
            Operation = "chat",
            Model = unpriced ? "in-house-" + random.Next(3) : model.Model,
            RequestModel = model.Model,
            Streaming = random.Next(2) == 0,
            StatusCode = 200,
            DurationMs = random.Next(100, 5000) + 0.25,
            Tags = new LlmCostTags
            {
                Feature = random.Next(10) == 0 ? null : "feature-" + random.Next(20),
                Team = "team-" + random.Next(5),
                Customer = "customer-" + random.Next(100),
                Environment = Environments[random.Next(3)],
            },
            Usage = new TokenUsage { InputTokens = input, CachedInputTokens = cached, OutputTokens = output, Source = UsageSource.Provider },
            Cost = unpriced ? null : new CostBreakdown { Input = cost, Total = cost },
            Price = unpriced ? null : new PriceReference { TableVersion = "2026.11.3", Entry = model.Provider + "/" + model.Model, EffectiveFrom = new DateOnly(2025, 1, 1) },
        };
    }
}
