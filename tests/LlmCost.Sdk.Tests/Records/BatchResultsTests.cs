using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Tests.Records;

/// <summary><see cref="BatchResults"/>: the offline reading of batch results, priced by <see cref="CostRecordRepricer"/> as the live path prices them.</summary>
public class BatchResultsTests
{
    [Theory]
    [InlineData("openai-batch-output.jsonl", "openai")]
    [InlineData("anthropic-batch-results.jsonl", "anthropic")]
    public async Task ReadAsync_ThenReprice_SameRecordsAsTrackBatchOutputAsync(string payload, string provider)
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Environment = "test").AddInMemorySink();
        await using var sp = services.BuildServiceProvider();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();
        await using (var file = File.OpenRead(Payloads.Path(payload)))
        {
            await tracker.TrackBatchOutputAsync(file, provider);
        }

        await tracker.FlushAsync();
        var live = sp.GetRequiredService<InMemoryCostSink>().Records;

        var repricer = new CostRecordRepricer(PriceTable.Default);
        var offline = new List<CostRecord>();
        await using (var file = File.OpenRead(Payloads.Path(payload)))
        {
            await foreach (var record in BatchResults.ReadAsync(file, provider))
            {
                Assert.Equal("batch", record.ServiceTier);
                offline.Add(repricer.Reprice(record));
            }
        }

        Assert.Equal(live.Count, offline.Count);
        Assert.NotEmpty(offline);
        for (var i = 0; i < live.Count; i++)
        {
            Assert.Equal(live[i].Model, offline[i].Model);
            Assert.Equal(live[i].Usage, offline[i].Usage);
            Assert.Equal(live[i].ErrorType, offline[i].ErrorType);
            Assert.Equal(live[i].Cost?.Total, offline[i].Cost?.Total);
        }
    }

    [Fact]
    public async Task ReadAsync_MalformedLine_ReportedAndSkipped()
    {
        var text = "not json\n\n" + File.ReadAllLines(Payloads.Path("anthropic-batch-results.jsonl"))[0] + "\n";
        var malformed = new List<int>();
        var records = new List<CostRecord>();
        await foreach (var record in BatchResults.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), LlmProviders.Anthropic, onMalformedLine: malformed.Add))
        {
            records.Add(record);
        }

        Assert.Equal([1], malformed);
        Assert.Single(records);
        Assert.Null(records[0].Cost);
    }

    [Fact]
    public void ReadAsync_UnsupportedProvider_Throws()
    {
        Assert.Throws<ArgumentException>(() => BatchResults.ReadAsync(Stream.Null, "gcp.gemini"));
    }
}
