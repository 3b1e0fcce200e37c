using System.Text.Json;

namespace LlmCost.Sdk.Tests.Pipeline;

public sealed class JsonLinesCostSinkTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "llmcost-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task WriteAsync_TwoBatches_AppendsOneRecordPerLineToANewFolder()
    {
        var path = Path.Combine(_folder, "nested", "costs.jsonl");
        var sink = new JsonLinesCostSink(path);
        var records = Enumerable.Range(0, 5).Select(TestRecords.Create).ToList();

        await sink.WriteAsync(records[..2], CancellationToken.None);
        await sink.WriteAsync(records[2..], CancellationToken.None);

        var text = await File.ReadAllTextAsync(path);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', text);
        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(records.Select(r => r.ToJson()), lines);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
        Assert.Equal(records, lines.Select(CostRecord.FromJson));
    }

    [Fact]
    public async Task WriteAsync_FileIsOpenForReading_StillAppends()
    {
        var path = Path.Combine(_folder, "tailed.jsonl");
        var sink = new JsonLinesCostSink(path);
        await sink.WriteAsync([TestRecords.Create(1)], CancellationToken.None);

        await using (var tail = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            await sink.WriteAsync([TestRecords.Create(2)], CancellationToken.None);
        }

        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public async Task WriteAsync_NoBomAndUtf8Tags_AreWrittenAsUtf8()
    {
        var path = Path.Combine(_folder, "utf8.jsonl");
        var record = TestRecords.Create() with { Tags = new CostTags { Customer = "Zürich AG" } };

        await new JsonLinesCostSink(path).WriteAsync([record], CancellationToken.None);

        var bytes = await File.ReadAllBytesAsync(path);
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Equal("Zürich AG", CostRecord.FromJson(File.ReadAllLines(path)[0]).Tags.Customer);
    }
}
