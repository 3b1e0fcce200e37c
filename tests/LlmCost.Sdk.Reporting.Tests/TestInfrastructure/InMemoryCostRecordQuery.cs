using LlmCost.Sdk.Reporting;

namespace LlmCost.Sdk.Reporting.Tests;

/// <summary>The query contract over a list: what a store's SQL does, in LINQ, so the report is tested without a database.</summary>
internal sealed class InMemoryCostRecordQuery(IEnumerable<CostRecord> records) : ICostRecordQuery
{
    private readonly List<CostRecord> _records = [.. records];

    public List<CostAggregateQuery> Queries { get; } = [];

    public async IAsyncEnumerable<CostAggregate> AggregateAsync(CostAggregateQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Queries.Add(query);
        await Task.Yield();
        var size = query.BucketSize.Ticks;
        var sets = query.EffectiveGroupingSets;
        for (var set = 0; set < sets.Count; set++)
        {
            var dimensions = sets[set];
            var groups = _records
                .Where(r => r.Timestamp >= query.From && r.Timestamp < query.To)
                .GroupBy(r => (Bucket: r.Timestamp.UtcTicks - ((r.Timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % size),
                               Keys: string.Join("\u001F", dimensions.Select(d => JsonLinesCostRecordQuery.KeyOf(r, d) ?? "\u001E"))));
            foreach (var g in groups)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new CostAggregate
                {
                    BucketStart = new DateTimeOffset(g.Key.Bucket, TimeSpan.Zero),
                    Keys = [.. dimensions.Select(d => JsonLinesCostRecordQuery.KeyOf(g.First(), d))],
                    GroupingSet = set,
                    Calls = g.Count(),
                    UnpricedCalls = g.Count(r => r.Cost is null),
                    InputTokens = g.Sum(r => r.Usage.InputTokens),
                    CachedInputTokens = g.Sum(r => r.Usage.CachedInputTokens),
                    OutputTokens = g.Sum(r => r.Usage.OutputTokens),
                    Cost = g.Sum(r => r.Cost?.Total ?? 0m),
                };
            }
        }
    }
}
