using OpenTelemetry.Metrics;

namespace LlmCost.Sdk.Tests.Telemetry;

/// <summary><c>AddLlmCostInstrumentation()</c> (namespace <c>OpenTelemetry.Metrics</c>) exports the pipeline's counters too.</summary>
[Collection(OpenTelemetryCollection.Name)]
public class LlmCostMeterProviderBuilderExtensionsTests
{
    private static long Sum(List<MetricSnapshot> exported, string name)
    {
        long sum = 0;
        foreach (var metric in exported.Where(m => m.Name == name))
        {
            Assert.Equal(LlmCostTelemetry.MeterName, metric.MeterName);
            Assert.Equal(MetricType.LongSum, metric.MetricType);
            foreach (var point in metric.MetricPoints)
            {
                sum += point.GetSumLong();
            }
        }

        return sum;
    }

    [Fact]
    public async Task AddLlmCostInstrumentation_OneCall_ExportsThePipelineCounters()
    {
        var exported = new List<MetricSnapshot>();
        using var meterProvider = OpenTelemetry.Sdk.CreateMeterProviderBuilder().AddLlmCostInstrumentation().AddInMemoryExporter(exported).Build();
        await using var host = TelemetryTestHost.Create();

        // Cumulative counters: compare two collections, so a provider another test left undisposed does not count.
        meterProvider.ForceFlush();
        var before = new List<MetricSnapshot>(exported);
        exported.Clear();
        await host.ChatAsync();
        await host.SingleRecordAsync();
        meterProvider.ForceFlush();

        Assert.Equal(1, Sum(exported, "llmcost.pipeline.records.queued") - Sum(before, "llmcost.pipeline.records.queued"));
        Assert.Equal(1, Sum(exported, "llmcost.pipeline.records.written") - Sum(before, "llmcost.pipeline.records.written"));
        Assert.Equal(0, Sum(exported, "llmcost.pipeline.records.dropped") - Sum(before, "llmcost.pipeline.records.dropped"));
        Assert.Equal(0, Sum(exported, "llmcost.pipeline.sink.failures") - Sum(before, "llmcost.pipeline.sink.failures"));
        Assert.All(exported.Where(m => m.Name.StartsWith("llmcost.pipeline.records.", StringComparison.Ordinal)), m => Assert.Equal("{record}", m.Unit));
    }
}
