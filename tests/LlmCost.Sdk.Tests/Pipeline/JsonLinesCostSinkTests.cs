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
        var record = TestRecords.Create() with { Tags = new LlmCostTags { Customer = "Zürich AG" } };

        await new JsonLinesCostSink(path).WriteAsync([record], CancellationToken.None);

        var bytes = await File.ReadAllBytesAsync(path);
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Equal("Zürich AG", CostRecord.FromJson(File.ReadAllLines(path)[0]).Tags.Customer);
    }

    [Fact]
    public async Task WriteAsync_AnotherWriterIsAppending_FailsThisAttemptInsteadOfOverwritingIt()
    {
        var path = Path.Combine(_folder, "shared.jsonl");
        var sink = new JsonLinesCostSink(path);
        var otherProcess = new JsonLinesCostSink(path);
        await sink.WriteAsync([TestRecords.Create(1)], CancellationToken.None);

        // Another writer (another process's sink) is in the middle of its append: it holds the writers' lock.
        await using (new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            await Assert.ThrowsAnyAsync<IOException>(() => sink.WriteAsync([TestRecords.Create(2)], CancellationToken.None));
        }

        await otherProcess.WriteAsync([TestRecords.Create(3)], CancellationToken.None);
        await sink.WriteAsync([TestRecords.Create(2)], CancellationToken.None); // the pipeline's retry

        var features = File.ReadAllLines(path).Select(l => CostRecord.FromJson(l).Tags.Feature);
        Assert.Equal(["f1", "f3", "f2"], features);
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWritersOnOneFile_LoseNoLine()
    {
        var path = Path.Combine(_folder, "concurrent.jsonl");
        var writers = Enumerable.Range(0, 8).Select(_ => new JsonLinesCostSink(path)).ToArray();
        using var start = new Barrier(writers.Length);

        await Task.WhenAll(writers.Select((writer, w) => Task.Factory.StartNew(async () =>
        {
            start.SignalAndWait();
            for (var batch = 0; batch < 25; batch++)
            {
                var records = Enumerable.Range(0, 10).Select(i => TestRecords.Create((w * 1000) + (batch * 10) + i)).ToList();
                while (true)
                {
                    try
                    {
                        await writer.WriteAsync(records, CancellationToken.None);
                        break;
                    }
                    catch (IOException)
                    {
                        await Task.Yield(); // the pipeline would back off and retry
                    }
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()));

        var lines = File.ReadAllLines(path);
        Assert.Equal(8 * 25 * 10, lines.Length);
        Assert.Equal(2000, lines.Select(l => CostRecord.FromJson(l).Tags.Feature).Distinct().Count());
    }
}
