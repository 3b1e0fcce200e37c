using BenchmarkDotNet.Attributes;

namespace LlmCost.Sdk.Storage.Benchmarks;

/// <summary>
/// One sink <c>WriteAsync</c> of a batch of 512 new records (the pipeline's default batch size), as the SDK's sink worker
/// calls it: SQLite into a file on local disk (WAL, synchronous=NORMAL), PostgreSQL into the server named by
/// <c>LLMCOST_BENCH_POSTGRES</c> (binary COPY into staging, then the idempotent upsert). Each operation writes fresh ids
/// into a table that keeps growing over the run; records/s = 512 / mean.
/// </summary>
[MemoryDiagnoser]
public class SinkThroughputBenchmarks
{
    public const int BatchSize = 512;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "llmcost-bench-" + Guid.NewGuid().ToString("N"));
    private CostRecord[] _templates = [];
    private CostRecord[] _batch = [];
    private ICostSink _sink = null!;

    [Params("Sqlite", "PostgreSql")]
    public string Store { get; set; } = "Sqlite";

    [GlobalSetup]
    public async Task Setup()
    {
        _templates = [.. Enumerable.Range(0, BatchSize).Select(i => SyntheticRecords.Create(i, BatchSize))];
        _batch = new CostRecord[BatchSize];
        Directory.CreateDirectory(_folder);
        _sink = Store == "Sqlite"
            ? new SqliteCostSink(Path.Combine(_folder, "bench.db"))
            : new PostgreSqlCostSink(await BenchmarkPostgres.FreshSchemaAsync());
        await WriteBatch512(); // creates the schema outside the measurement
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        (_sink as IDisposable)?.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public Task WriteBatch512()
    {
        for (var i = 0; i < _batch.Length; i++)
        {
            _batch[i] = _templates[i] with { Id = Guid.CreateVersion7() };
        }

        return _sink.WriteAsync(_batch, CancellationToken.None);
    }
}
