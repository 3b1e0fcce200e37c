namespace LlmCost.Sdk.Tests.Records;

/// <summary>The record's JSON keeps '+' (the <c>+custom</c> table version) and non-ASCII tag values readable.</summary>
public class CostRecordJsonEncodingTests
{
    private static CostRecord Record() => TestRecords.Create() with
    {
        Tags = new LlmCostTags { Feature = "résumé-triage" },
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

    [Fact]
    public void WriteJson_WritesTheUtf8OfToJson_RecordAfterRecordIntoOneBuffer()
    {
        // The sinks that store the JSON as bytes (SQLite, PostgreSQL's COPY) write it straight from the core's writer.
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        CostRecord[] records =
        [
            Record(),
            TestRecords.Create() with { Tags = new LlmCostTags { Feature = "a\"b\\c\u0001", Custom = { ["日本"] = "語" } } },
            TestRecords.Create() with { Cost = null, Price = null },
        ];

        foreach (var record in records)
        {
            output.ResetWrittenCount();
            record.WriteJson(output);
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(record.ToJson()), output.WrittenSpan.ToArray());
        }

        Assert.Throws<ArgumentNullException>(() => Record().WriteJson(null!));
    }
}
