namespace LlmCost.Sdk.Tests.Records;

/// <summary>The record's JSON keeps '+' (the <c>+custom</c> table version) and non-ASCII tag values readable.</summary>
public class CostRecordJsonEncodingTests
{
    private static CostRecord Record() => TestRecords.Create() with
    {
        Tags = new CostTags { Feature = "résumé-triage" },
        Price = new PriceReference { TableVersion = "2026.11.3+custom", Entry = "openai/gpt-4o", EffectiveFrom = new DateOnly(2024, 10, 1) },
    };

    [Fact]
    public void ToJson_CustomTableVersion_WritesThePlusSignAsItself()
    {
        var json = Record().ToJson();

        Assert.Contains("\"tableVersion\":\"2026.11.3+custom\"", json, StringComparison.Ordinal);
        Assert.Contains("\"feature\":\"résumé-triage\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", json, StringComparison.Ordinal);
        Assert.Equal("2026.11.3+custom", CostRecord.FromJson(json).Price!.TableVersion);
    }

    [Fact]
    public async Task JsonLinesSink_CustomTableVersion_WritesThePlusSignAsItself()
    {
        var path = Path.Combine(Path.GetTempPath(), "llmcost-tests", $"{Guid.NewGuid():N}.jsonl");
        var sink = new JsonLinesCostSink(path);

        await sink.WriteAsync([Record()], CancellationToken.None);

        var line = Assert.Single(await File.ReadAllLinesAsync(path));
        Assert.Contains("\"tableVersion\":\"2026.11.3+custom\"", line, StringComparison.Ordinal);
        File.Delete(path);
    }
}
