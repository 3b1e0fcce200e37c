using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>A column with MiB/s = bytes per operation / mean time per operation.</summary>
internal sealed class ThroughputColumn : IColumn
{
    private readonly Func<string, double> _bytesPerOperation;

    public ThroughputColumn(Func<string, double> bytesPerOperation) => _bytesPerOperation = bytesPerOperation;

    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "MiB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Payload MiB read per second (bytes per operation / mean)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        var bytes = _bytesPerOperation(benchmarkCase.Descriptor.WorkloadMethod.Name);
        if (meanNs is not > 0 || double.IsNaN(bytes))
        {
            return "-";
        }

        var mibPerSecond = bytes / (meanNs.Value / 1e9) / (1024 * 1024);
        return mibPerSecond.ToString("N0", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
