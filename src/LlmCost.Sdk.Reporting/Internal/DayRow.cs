namespace LlmCost.Sdk.Reporting;

/// <summary>The sums of one local day and one group of all six dimensions.</summary>
internal sealed class DayRow(DateOnly day, Keys6 keys)
{
    public DateOnly Day { get; } = day;

    public Keys6 Keys { get; } = keys;

    public long Calls { get; set; }

    public long UnpricedCalls { get; set; }

    public long InputTokens { get; set; }

    public long CachedInputTokens { get; set; }

    public long OutputTokens { get; set; }

    public decimal Cost { get; set; }

    public long Tokens => InputTokens + OutputTokens;

    public void Add(CostAggregate aggregate)
    {
        Calls += aggregate.Calls;
        UnpricedCalls += aggregate.UnpricedCalls;
        InputTokens += aggregate.InputTokens;
        CachedInputTokens += aggregate.CachedInputTokens;
        OutputTokens += aggregate.OutputTokens;
        Cost += aggregate.Cost;
    }
}
