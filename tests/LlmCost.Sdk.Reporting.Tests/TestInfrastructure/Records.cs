namespace LlmCost.Sdk.Reporting.Tests;

/// <summary>Builds records for report tests: only what a report reads is set.</summary>
internal static class Records
{
    public static CostRecord At(string utc, decimal? cost, string? feature = "search", string? team = "core", string model = "gpt-4o", string provider = "openai", long input = 1000, long output = 100, string? customer = "acme") =>
        At(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), cost, feature, team, model, provider, input, output, customer);

    public static CostRecord At(DateTimeOffset timestamp, decimal? cost, string? feature = "search", string? team = "core", string model = "gpt-4o", string provider = "openai", long input = 1000, long output = 100, string? customer = "acme") => new()
    {
        Id = Guid.NewGuid(),
        Timestamp = timestamp,
        Provider = provider,
        Operation = "chat",
        Model = model,
        Tags = new LlmCostTags { Feature = feature, Team = team, Customer = customer, Environment = "production" },
        Usage = new TokenUsage { InputTokens = input, OutputTokens = output, Source = UsageSource.Provider },
        Cost = cost is { } total ? new CostBreakdown { Input = total, Total = total } : null,
    };

    /// <summary>One record per day from <paramref name="first"/> to <paramref name="last"/> at noon UTC, costing what <paramref name="costOf"/> says.</summary>
    public static IEnumerable<CostRecord> Daily(DateOnly first, DateOnly last, Func<DateOnly, decimal> costOf, string? feature = "search")
    {
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            yield return At(new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero), costOf(day), feature);
        }
    }
}
