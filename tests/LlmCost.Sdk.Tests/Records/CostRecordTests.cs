using System.Collections.Frozen;
using System.Text.Json;

namespace LlmCost.Sdk.Tests.Records;

public class CostRecordTests
{
    private static CostRecord DesignExample() => new()
    {
        Id = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
        Timestamp = new DateTimeOffset(2026, 11, 23, 15, 0, 0, 123, TimeSpan.Zero),
        Provider = "openai",
        Operation = "chat",
        Model = "gpt-4o-2024-08-06",
        RequestModel = "gpt-4o",
        Streaming = true,
        StatusCode = 200,
        DurationMs = 812.4,
        Tags = new LlmCostTags
        {
            Feature = "ticket-triage",
            Team = "search",
            Customer = "acme",
            Environment = "production",
            Custom = { ["region"] = "eu" },
        },
        Usage = UsageParsing.Usage(1200, 1024, 0, 350, 0),
        Cost = new CostBreakdown { Input = 0.00044m, CachedInput = 0.00128m, CacheWrite = 0m, Output = 0.0035m, Total = 0.00522m },
        Price = new PriceReference { TableVersion = "2026.11.1", Entry = "openai/gpt-4o", EffectiveFrom = new DateOnly(2024, 10, 1) },
    };

    [Fact]
    public void ToJson_DesignExample_WritesTheDesignFormat()
    {
        var json = DesignExample().ToJson();

        Assert.Equal(
            """{"id":"0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","timestamp":"2026-11-23T15:00:00.123Z","provider":"openai","operation":"chat","model":"gpt-4o-2024-08-06","requestModel":"gpt-4o","streaming":true,"statusCode":200,"errorType":null,"durationMs":812.4,"tags":{"feature":"ticket-triage","team":"search","customer":"acme","environment":"production","region":"eu"},"usage":{"inputTokens":1200,"cachedInputTokens":1024,"cacheWriteInputTokens":0,"outputTokens":350,"reasoningTokens":0,"source":"provider"},"cost":{"currency":"USD","input":0.00044,"cachedInput":0.00128,"cacheWrite":0,"output":0.0035,"total":0.00522},"price":{"tableVersion":"2026.11.1","entry":"openai/gpt-4o","effectiveFrom":"2024-10-01"}}""",
            json);
        Assert.DoesNotContain('\n', json);
    }

    [Fact]
    public void ToJson_Unpriced_WritesNullCostAndPrice()
    {
        var record = DesignExample() with { Cost = null, Price = null, Usage = TokenUsage.None };

        using var document = JsonDocument.Parse(record.ToJson());

        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("cost").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("price").ValueKind);
        Assert.Equal("none", document.RootElement.GetProperty("usage").GetProperty("source").GetString());
    }

    [Fact]
    public void FromJson_RoundTrip_GivesAnEqualRecord()
    {
        var record = DesignExample();

        var parsed = CostRecord.FromJson(record.ToJson());

        Assert.Equal(record, parsed);
    }

    [Fact]
    public void FromJson_NotARecord_ThrowsJsonException()
    {
        Assert.ThrowsAny<JsonException>(() => CostRecord.FromJson("""{"id":"x"}"""));
    }

    [Fact]
    public void ToJson_OneHourCacheWrites_AddsTheirCountAndRoundTrips()
    {
        var record = DesignExample() with { Usage = UsageParsing.Usage(100, 0, 80, 1, 0) with { CacheWrite1hInputTokens = 60 } };

        using var document = JsonDocument.Parse(record.ToJson());

        Assert.Equal(60, document.RootElement.GetProperty("usage").GetProperty("cacheWrite1hInputTokens").GetInt64());
        Assert.Equal(record, CostRecord.FromJson(record.ToJson()));
        Assert.DoesNotContain("cacheWrite1h", DesignExample().ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_ServiceTier_IsWrittenOnlyWhenKnownAndRoundTrips()
    {
        var record = DesignExample() with { ServiceTier = "flex" };

        Assert.Contains("\"requestModel\":\"gpt-4o\",\"serviceTier\":\"flex\",\"streaming\"", record.ToJson(), StringComparison.Ordinal);
        Assert.Equal(record, CostRecord.FromJson(record.ToJson()));
        Assert.DoesNotContain("serviceTier", DesignExample().ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_RegionWebSearchesAndRequestCharges_AreWrittenOnlyWhenSetAndRoundTrip()
    {
        var design = DesignExample();
        var record = design with
        {
            Region = "us",
            Usage = design.Usage with { WebSearchRequests = 2 },
            Cost = design.Cost! with { Requests = 0.02m, Total = design.Cost.Total + 0.02m },
        };

        var json = record.ToJson();

        Assert.Contains("\"streaming\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"requestModel\":\"gpt-4o\",\"region\":\"us\",\"streaming\":true", json, StringComparison.Ordinal);
        Assert.Contains("\"reasoningTokens\":0,\"webSearchRequests\":2,\"source\":\"provider\"", json, StringComparison.Ordinal);
        Assert.Contains("\"output\":0.0035,\"requests\":0.02,\"total\":0.02522}", json, StringComparison.Ordinal);
        Assert.Equal(record, CostRecord.FromJson(json));
        var plain = design.ToJson();
        Assert.Contains("\"requestModel\":\"gpt-4o\",\"streaming\":true", plain, StringComparison.Ordinal); // no top-level region (the tags may have one)
        Assert.DoesNotContain("webSearchRequests", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("\"requests\"", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_CostReportedByTheProvider_SaysSoAndRoundTrips()
    {
        var record = DesignExample() with { Provider = "openrouter", Cost = new CostBreakdown { Total = 0.0123m, ReportedByProvider = true }, Price = null };

        var json = record.ToJson();

        Assert.Contains("\"cost\":{\"currency\":\"USD\",\"input\":0,\"cachedInput\":0,\"cacheWrite\":0,\"output\":0,\"total\":0.0123,\"source\":\"provider\"},\"price\":null", json, StringComparison.Ordinal);
        Assert.Equal(record, CostRecord.FromJson(json));
    }
}
