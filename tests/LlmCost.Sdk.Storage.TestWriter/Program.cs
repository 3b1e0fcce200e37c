// Writes records to a SQLite store as an app's sink would, for the test of several processes writing one file.
// Usage: <db path> <writer number> <records> <batch size>. Every batch is written twice, as a pipeline retry would.
using System.Globalization;
using LlmCost.Sdk;

var path = args[0];
var writer = int.Parse(args[1], CultureInfo.InvariantCulture);
var count = int.Parse(args[2], CultureInfo.InvariantCulture);
var batchSize = int.Parse(args[3], CultureInfo.InvariantCulture);

using var sink = new SqliteCostSink(path);
var start = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
for (var offset = 0; offset < count; offset += batchSize)
{
    var batch = Enumerable.Range(offset, Math.Min(batchSize, count - offset))
        .Select(i => new CostRecord
        {
            Id = Guid.CreateVersion7(),
            Timestamp = start.AddSeconds(i),
            Provider = "openai",
            Operation = "chat",
            Model = "gpt-4o",
            Tags = new LlmCostTags { Feature = "writer-" + writer.ToString(CultureInfo.InvariantCulture) },
            Usage = new TokenUsage { InputTokens = 10, OutputTokens = 1, Source = UsageSource.Provider },
            Cost = new CostBreakdown { Total = 0.001m },
        })
        .ToList();
    await sink.WriteAsync(batch, CancellationToken.None);
    await sink.WriteAsync(batch, CancellationToken.None);
}

Console.WriteLine("done");
