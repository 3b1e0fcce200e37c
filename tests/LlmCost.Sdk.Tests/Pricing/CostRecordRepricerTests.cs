using System.Net;
using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk.Tests.Pricing;

public class CostRecordRepricerTests
{
    private static readonly DateTimeOffset Today = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The cached gpt-4o call of the prompt-caching guide: 2006 input (1920 cached), 300 output.</summary>
    private static CostRecord Gpt4oRecord(DateTimeOffset? timestamp = null, string? serviceTier = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Timestamp = timestamp ?? Today,
        Provider = "openai",
        Operation = "chat",
        Model = "gpt-4o-2024-08-06",
        RequestModel = "gpt-4o",
        ServiceTier = serviceTier,
        StatusCode = 200,
        Tags = new LlmCostTags { Feature = "ticket-triage" },
        Usage = new TokenUsage { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300, Source = UsageSource.Provider },
    };

    private static PriceTable CorrectedGpt4o() => PriceTable.Default.With(
        [new PriceEntry("openai", "gpt-4o", [], [new PricePeriod { EffectiveFrom = new DateOnly(2024, 10, 1), Rates = new TieredPriceRates { Base = new PriceRates { Input = 2.00m, CachedInput = 1.00m, Output = 8.00m } } }], "correction")],
        version: "2026.12.0-fix");

    [Theory]
    [InlineData("openai-chat-cached.json")]
    [InlineData("openai-chat.json")]
    [InlineData("openai-responses.json")]
    [InlineData("openai-chat-stream.sse")]
    [InlineData("anthropic-messages-cache.json")]
    [InlineData("anthropic-messages-stream.sse")]
    public async Task Reprice_StoredLiveRecordWithTheSameTable_ReproducesTheLiveCostExactly(string payload)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.ForPayload(payload));
        await using var host = TrackedHost.Create(stub);
        using var client = host.CreateClient();
        using var request = TrackedHost.RequestFor(payload);
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            _ = await response.Content.ReadAsStringAsync();
        }

        var live = await host.SingleRecordAsync();
        Assert.NotNull(live.Cost);

        // As stored by the JSON Lines sink and read back.
        var stored = CostRecord.FromJson(live.ToJson());
        var repriced = new CostRecordRepricer(PriceTable.Default).Reprice(stored);

        Assert.Equal(live.Cost, repriced.Cost);
        Assert.Equal(live.Price, repriced.Price);
        Assert.Equal(live.Usage, repriced.Usage);
        Assert.Equal(live.Id, repriced.Id);
    }

    [Fact]
    public void Reprice_CorrectedPrice_ChangesCostAndTableVersion()
    {
        var stored = new CostRecordRepricer(PriceTable.Default).Reprice(Gpt4oRecord());
        Assert.Equal(0.005615m, stored.Cost!.Total); // 86 × $2.50 + 1,920 × $1.25 + 300 × $10 per 1M tokens

        var repriced = new CostRecordRepricer(CorrectedGpt4o()).Reprice(stored);

        // 86 × $2 + 1,920 × $1 + 300 × $8 per 1M tokens
        Assert.Equal(0.000172m, repriced.Cost!.Input);
        Assert.Equal(0.00192m, repriced.Cost.CachedInput);
        Assert.Equal(0.0024m, repriced.Cost.Output);
        Assert.Equal(0.004492m, repriced.Cost.Total);
        Assert.Equal(new PriceReference { TableVersion = "2026.12.0-fix", Entry = "openai/gpt-4o", EffectiveFrom = new DateOnly(2024, 10, 1) }, repriced.Price);
        Assert.Equal(stored with { Cost = repriced.Cost, Price = repriced.Price }, repriced); // nothing else changes
    }

    [Fact]
    public void Reprice_HistoricRecord_IsPricedByThePeriodInForceAtItsTimestamp()
    {
        // o3: $10/$40 from 2025-04-16, $2/$8 from 2025-06-10 (the embedded table's two periods).
        var usage = new TokenUsage { InputTokens = 1000, OutputTokens = 500, Source = UsageSource.Provider };
        CostRecord O3At(DateTimeOffset when) => new() { Timestamp = when, Provider = "openai", Operation = "chat", Model = "o3-2025-04-16", Usage = usage };
        var repricer = new CostRecordRepricer(PriceTable.Default);

        var may = repricer.Reprice(O3At(new DateTimeOffset(2025, 5, 1, 9, 0, 0, TimeSpan.Zero)));
        var june = repricer.Reprice(O3At(new DateTimeOffset(2025, 6, 10, 0, 0, 0, TimeSpan.Zero)));

        Assert.Equal(0.03m, may.Cost!.Total);  // 1,000 × $10 + 500 × $40 per 1M tokens
        Assert.Equal(new DateOnly(2025, 4, 16), may.Price!.EffectiveFrom);
        Assert.Equal(0.006m, june.Cost!.Total); // 1,000 × $2 + 500 × $8 per 1M tokens
        Assert.Equal(new DateOnly(2025, 6, 10), june.Price!.EffectiveFrom);
    }

    [Fact]
    public void Reprice_BatchRecord_UsesTheBatchRates()
    {
        // Depends on the embedded table's serviceTiers.batch for gpt-4o: $1.25 input, $0.625 cached, $5 output (OpenAI's Batch API price).
        var repriced = new CostRecordRepricer(PriceTable.Default).Reprice(Gpt4oRecord(serviceTier: "batch"));

        Assert.Equal(0.0028075m, repriced.Cost!.Total); // 86 × $1.25 + 1,920 × $0.625 + 300 × $5 per 1M tokens
    }

    [Fact]
    public void Reprice_ModelTheNewTableDoesNotKnow_IsUnpricedNeverZero()
    {
        var table = PriceTable.Create("only-claude", PriceTable.Default.Entries.Where(e => e.Provider == "anthropic"));
        var stored = new CostRecordRepricer(PriceTable.Default).Reprice(Gpt4oRecord());

        var repriced = new CostRecordRepricer(table).Reprice(stored);

        Assert.Null(repriced.Cost);
        Assert.Null(repriced.Price);
        Assert.Equal(stored.Usage, repriced.Usage);
    }

    [Fact]
    public void Reprice_UnknownUsage_KeepsCostUnknown()
    {
        var record = Gpt4oRecord() with { Usage = TokenUsage.None };

        var repriced = new CostRecordRepricer(PriceTable.Default).Reprice(record);

        Assert.Null(repriced.Cost);
        Assert.Null(repriced.Price);
    }

    [Fact]
    public void Reprice_CostReportedByTheProvider_IsKeptAsBilled()
    {
        var record = new CostRecord
        {
            Timestamp = Today,
            Provider = "openrouter",
            Operation = "chat",
            Model = "openai/gpt-4o",
            Usage = new TokenUsage { InputTokens = 2006, OutputTokens = 300, Source = UsageSource.Provider },
            Cost = new CostBreakdown { Total = 0.0081m, ReportedByProvider = true },
        };

        var repriced = new CostRecordRepricer(CorrectedGpt4o()).Reprice(record);

        Assert.Same(record, repriced);
    }

    [Fact]
    public void Reprice_ModelAliases_PriceADeploymentName()
    {
        var record = Gpt4oRecord() with { Provider = "azure.ai.openai", Model = "my-gpt4o-deployment", RequestModel = "my-gpt4o-deployment" };
        var aliases = new Dictionary<string, string> { ["my-gpt4o-deployment"] = "gpt-4o" };

        Assert.Null(new CostRecordRepricer(PriceTable.Default).Reprice(record).Cost);
        var repriced = new CostRecordRepricer(PriceTable.Default, aliases).Reprice(record);

        Assert.Equal(0.005615m, repriced.Cost!.Total);
        Assert.Equal("openai/gpt-4o", repriced.Price!.Entry);
    }

    [Fact]
    public void Reprice_Sequence_IsLazyAndKeepsOrder()
    {
        var records = new[] { Gpt4oRecord(), Gpt4oRecord(serviceTier: "batch") };

        var repriced = new CostRecordRepricer(CorrectedGpt4o()).Reprice(records).ToList();

        Assert.Equal([0.004492m, 0.004492m], repriced.Select(r => r.Cost!.Total)); // the correction lists no batch tier
        Assert.Equal(records.Select(r => r.Id), repriced.Select(r => r.Id));
    }

    [Fact]
    public async Task RepriceJsonLinesAsync_SinkFile_WritesEveryRecordRepriced()
    {
        var original = new CostRecordRepricer(PriceTable.Default);
        var records = new[] { original.Reprice(Gpt4oRecord()), original.Reprice(Gpt4oRecord() with { Usage = TokenUsage.None }), original.Reprice(Gpt4oRecord()) };
        var input = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", records.Select(r => r.ToJson())) + "\n\n"));
        var output = new MemoryStream();

        var count = await new CostRecordRepricer(CorrectedGpt4o()).RepriceJsonLinesAsync(input, output);

        var lines = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, count);
        Assert.Equal(3, lines.Length);
        var repriced = lines.Select(CostRecord.FromJson).ToList();
        Assert.Equal(records.Select(r => r.Id), repriced.Select(r => r.Id));
        Assert.Equal(0.004492m, repriced[0].Cost!.Total);
        Assert.Equal("2026.12.0-fix", repriced[0].Price!.TableVersion);
        Assert.Null(repriced[1].Cost);
        Assert.Equal(0.004492m, repriced[2].Cost!.Total);
        Assert.True(output.CanWrite); // flushed, not closed
    }

    [Fact]
    public async Task RepriceJsonLinesAsync_InvalidLine_ThrowsNamingTheLine()
    {
        var line = new CostRecordRepricer(PriceTable.Default).Reprice(Gpt4oRecord()).ToJson();
        var input = new MemoryStream(Encoding.UTF8.GetBytes(line + "\n{\"provider\":\"openai\"}\n"));

        var ex = await Assert.ThrowsAsync<JsonException>(() => new CostRecordRepricer(PriceTable.Default).RepriceJsonLinesAsync(input, new MemoryStream()));

        Assert.StartsWith("Line 2 is not a valid cost record", ex.Message, StringComparison.Ordinal);
    }
}
