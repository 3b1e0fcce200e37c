using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.Tests.Records;

public class JsonLinesCostRecordReaderTests
{
    private static CostRecord Record(string model, decimal cost) => new()
    {
        Id = Guid.CreateVersion7(),
        Timestamp = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero),
        Provider = "openai",
        Operation = "chat",
        Model = model,
        Usage = new TokenUsage { InputTokens = 100, OutputTokens = 50, Source = UsageSource.Provider },
        Cost = new CostBreakdown { Currency = "USD", Total = cost },
    };

    private static MemoryStream Lines(params string[] lines) => new(Encoding.UTF8.GetBytes(string.Join("\n", lines)));

    [Fact]
    public async Task ReadsEveryRecordInOrder_SkippingBlankLines_AndCountsLines()
    {
        var a = Record("gpt-4o", 0.00075m);
        var b = Record("gpt-4o-mini", 0.0000450m);
        using var reader = new JsonLinesCostRecordReader(Lines(a.ToJson(), "", "   ", b.ToJson(), ""));

        var records = new List<CostRecord>();
        await foreach (var record in reader.ReadAllAsync())
        {
            records.Add(record);
        }

        Assert.Equal([a.Id, b.Id], records.Select(r => r.Id));
        Assert.Equal(0.0000450m, records[1].Cost!.Total); // money survives the round trip exactly
        Assert.Equal(4, reader.LineNumber); // "a\n\n   \nb\n": four lines, the last one ended by its newline
    }

    [Fact]
    public async Task BadLine_ThrowsNamingTheLine_AndReadingGoesOnAfterIt()
    {
        var a = Record("gpt-4o", 1m);
        var b = Record("gpt-4o", 2m);
        using var reader = new JsonLinesCostRecordReader(Lines(a.ToJson(), "{\"id\":", b.ToJson()));

        Assert.Equal(a.Id, (await reader.ReadAsync())!.Id);
        var error = await Assert.ThrowsAsync<JsonException>(async () => await reader.ReadAsync());
        Assert.StartsWith("Line 2 is not a valid cost record", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, reader.LineNumber);
        Assert.Equal(b.Id, (await reader.ReadAsync())!.Id);
        Assert.Null(await reader.ReadAsync());
    }

    [Fact]
    public async Task ByteOrderMark_IsAccepted_AndLeaveOpenIsHonoured()
    {
        var a = Record("gpt-4o", 1m);
        var stream = new MemoryStream([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(a.ToJson() + "\n")]);
        using (var reader = new JsonLinesCostRecordReader(stream, leaveOpen: true))
        {
            Assert.Equal(a.Id, (await reader.ReadAsync())!.Id);
        }

        Assert.True(stream.CanRead);
        using (new JsonLinesCostRecordReader(stream))
        {
        }

        Assert.False(stream.CanRead);
    }
}
