using LlmCost.Sdk.Reporting;

namespace LlmCost.Sdk.Sample;

/// <summary>Where the sample keeps its records, and how the report reads them back: the one place to change the store.</summary>
/// <remarks>
/// The embedded SQLite store (package LlmCost.Sdk.Sqlite). For JSON Lines instead, the three marked lines become
/// <c>"costs/llm-costs.jsonl"</c>, <c>builder.AddJsonLinesSink(Path)</c> and <c>new JsonLinesCostRecordQuery(Path)</c>.
/// </remarks>
internal static class SampleStore
{
    public const string Path = "costs/llm-costs.db"; // store path

    public static LlmCostTrackingBuilder AddSink(LlmCostTrackingBuilder builder) => builder.AddSqliteSink(Path); // store sink

    public static ICostRecordQuery OpenQuery() => new SqliteCostRecordStore(Path); // store query

    /// <summary>Starts from an empty store, so every run of the sample shows the same history.</summary>
    public static void Reset()
    {
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            if (File.Exists(file))
            {
                File.Delete(file);
            }
        }
    }
}
