namespace LlmCost.Sdk.Storage.Tests;

/// <summary>Records for the store tests: hand-checkable values, every field set where it matters.</summary>
internal static class StoreRecords
{
    public static readonly DateTimeOffset Day = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A record with every field set, custom tags and all, as the pipeline would write it.</summary>
    public static CostRecord Full() => new()
    {
        Id = Guid.CreateVersion7(),
        Timestamp = new DateTimeOffset(2026, 11, 23, 15, 0, 0, 123, TimeSpan.Zero),
        Provider = "anthropic",
        Operation = "chat",
        Model = "claude-sonnet-4-5-20250929",
        RequestModel = "claude-sonnet-4-5",
        ServiceTier = "priority",
        Streaming = true,
        Region = "eu",
        StatusCode = 200,
        ErrorType = null,
        DurationMs = 812.4,
        Tags = new LlmCostTags
        {
            Feature = "ticket-triage",
            Team = "search",
            Customer = "Zürich AG",
            Environment = "production",
            Custom = { ["experiment"] = "b", ["region"] = "eu" },
        },
        Usage = new TokenUsage
        {
            InputTokens = 1200,
            CachedInputTokens = 1024,
            CacheWriteInputTokens = 100,
            CacheWrite1hInputTokens = 40,
            OutputTokens = 350,
            ReasoningTokens = 120,
            WebSearchRequests = 2,
            Source = UsageSource.Provider,
        },
        Cost = new CostBreakdown
        {
            Currency = "USD",
            Input = 0.00044m,
            CachedInput = 0.000307200m,
            CacheWrite = 0.000417m,
            Output = 0.00525m,
            Requests = 0.02m,
            Total = 0.0264142m,
        },
        Price = new PriceReference { TableVersion = "2026.11.3", Entry = "anthropic/claude-sonnet-4-5", EffectiveFrom = new DateOnly(2025, 9, 29) },
    };

    /// <summary>
    /// Records that together set every field and every omission rule of the JSON form: custom tags (non-ASCII, quotes,
    /// in a given order), estimated usage and every token count, no cost, a cost in another currency reported by the
    /// provider with request fees, a price starting during its day and priced by the requested model, an error.
    /// </summary>
    public static IEnumerable<CostRecord> EveryField()
    {
        var full = Full();
        yield return full;
        yield return full with
        {
            Id = Guid.CreateVersion7(),
            Timestamp = full.Timestamp.AddSeconds(1),
            ServiceTier = null,
            Region = null,
            StatusCode = null,
            ErrorType = "System.Net.Http.HttpRequestException",
            Streaming = false,
            DurationMs = 30000.0004,
            Tags = new LlmCostTags { Custom = { ["zeta"] = "naïve \"quoted\" \\ 日本語 🚀", ["alpha"] = string.Empty } },
            Usage = new TokenUsage
            {
                InputTokens = 10,
                OutputTokens = 0,
                AudioInputTokens = 1,
                AudioOutputTokens = 2,
                ImageInputTokens = 3,
                ImageOutputTokens = 4,
                VideoInputTokens = 5,
                VideoOutputTokens = 6,
                Source = UsageSource.Estimated,
            },
            Cost = null,
            Price = null,
        };
        yield return full with
        {
            Id = Guid.CreateVersion7(),
            Timestamp = full.Timestamp.AddSeconds(2),
            Model = null,
            StatusCode = 429,
            ErrorType = "429",
            Tags = new LlmCostTags { Feature = "f", Custom = { ["experiment"] = "c" } },
            Usage = new TokenUsage { Source = UsageSource.None },
            Cost = new CostBreakdown { Currency = "EUR", Output = 1.50m, Requests = 0.010m, Total = 1.510m, ReportedByProvider = true },
            Price = new PriceReference
            {
                TableVersion = "2026.11.3+custom",
                Entry = "deepseek/deepseek-chat",
                EffectiveFrom = new DateOnly(2025, 9, 5),
                EffectiveFromTime = new TimeOnly(16, 0),
                RequestModelFallback = true,
            },
        };
        yield return full with
        {
            Id = Guid.CreateVersion7(),
            Timestamp = full.Timestamp.AddSeconds(3),
            Tags = LlmCostTags.Empty,
            Cost = new CostBreakdown { Total = 0m },
            Price = new PriceReference { TableVersion = "2026.11.3", Entry = "openai/gpt-4o" },
        };
    }

    /// <summary>A small record at a time, with a cost (or none) and tags.</summary>
    public static CostRecord At(
        DateTimeOffset timestamp,
        decimal? cost,
        string? feature = null,
        string? team = null,
        string? model = "gpt-4o",
        string provider = "openai",
        string? requestModel = null,
        long input = 100,
        long cached = 10,
        long output = 20,
        string? customer = null,
        string? environment = "production") => new()
        {
            Id = Guid.CreateVersion7(),
            Timestamp = timestamp,
            Provider = provider,
            Operation = "chat",
            Model = model,
            RequestModel = requestModel,
            Tags = new LlmCostTags { Feature = feature, Team = team, Customer = customer, Environment = environment },
            Usage = new TokenUsage { InputTokens = input, CachedInputTokens = cached, OutputTokens = output, Source = UsageSource.Provider },
            Cost = cost is { } total ? new CostBreakdown { Total = total, Input = total } : null,
            Price = cost is null ? null : new PriceReference { TableVersion = "2026.11.3", Entry = provider + "/" + model },
        };
}
