namespace LlmCost.Sdk;

/// <summary>
/// Reads stored cost records back as sums, for reports: implemented by the SQLite and PostgreSQL stores and by a
/// JSON Lines file reader, so a report runs the same against any of them.
/// </summary>
/// <remarks>
/// Implementations aggregate where the records are (in the database), never by loading every record into memory:
/// the result has one row per (bucket, group) that has records.
/// </remarks>
public interface ICostRecordQuery
{
    /// <summary>Sums the records whose timestamp is in the query's range, per UTC time bucket and per group.</summary>
    /// <param name="query">The range, grouping and bucket size.</param>
    /// <param name="cancellationToken">Stops the query.</param>
    /// <returns>One <see cref="CostAggregate"/> per bucket and group that has records, in no particular order.</returns>
    IAsyncEnumerable<CostAggregate> AggregateAsync(CostAggregateQuery query, CancellationToken cancellationToken = default);
}
