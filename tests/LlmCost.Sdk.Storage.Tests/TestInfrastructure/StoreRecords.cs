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
