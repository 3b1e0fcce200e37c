namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>The one pricing policy used by the pump, batch results and <see cref="CostRecordRepricer"/>.</summary>
public class CostPricerTests
{
    private static readonly CostPricer Pricer = new(PriceTable.Default);

    private static CostRecord Record(TokenUsage usage, string? model = "gpt-4o-2024-08-06", string? errorType = null, CostBreakdown? cost = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Timestamp = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero),
        Provider = "openai",
        Operation = "chat",
        Model = model,
        RequestModel = "gpt-4o",
        ErrorType = errorType,
        Usage = usage,
        Cost = cost,
    };

    private static readonly TokenUsage Cached = new() { InputTokens = 2006, CachedInputTokens = 1920, OutputTokens = 300, Source = UsageSource.Provider };

    [Fact]
    public void Price_KnownModel_PricesFromTheTableAndNamesTheEntry()
    {
        var priced = Pricer.Price(Record(Cached), out var outcome);

        Assert.Equal(PricingOutcome.Priced, outcome);
        Assert.Equal(0.005615m, priced.Cost!.Total);
        Assert.Equal("openai/gpt-4o", priced.Price!.Entry);
        Assert.Equal(PriceTable.Default.Version, priced.Price.TableVersion);
    }

    [Fact]
    public void Price_UnknownServedModel_FallsBackToTheRequestedModel()
    {
        var priced = Pricer.Price(Record(Cached, model: "gpt-4o-some-future-snapshot-xyz"), out var outcome);

        Assert.Equal(PricingOutcome.Priced, outcome);
        Assert.Equal(0.005615m, priced.Cost!.Total);
    }

    [Fact]
    public void Price_UnknownServedModel_PriceReferenceSaysItWasPricedAsTheRequestedModel()
    {
        // Issue 12, item 11: the fallback is visible in the record, not silent.
        var priced = Pricer.Price(Record(Cached, model: "gpt-4o-some-future-snapshot-xyz"), out _);

        Assert.Equal("openai/gpt-4o", priced.Price!.Entry);
        Assert.True(priced.Price.RequestModelFallback);
        var price = System.Text.Json.JsonDocument.Parse(priced.ToJson()).RootElement.GetProperty("price");
        Assert.True(price.GetProperty("requestModelFallback").GetBoolean());
        Assert.Equal(priced.Price, CostRecord.FromJson(priced.ToJson()).Price); // read back from JSON Lines
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06")] // the served snapshot is in the table
    [InlineData("gpt-4o")]            // the same model as the request
    [InlineData(null)]                // the response named none: the requested model is the only name there is
    public void Price_ServedModelKnownOrAbsent_NoFallbackAndNoFieldInJson(string? model)
    {
        var priced = Pricer.Price(Record(Cached, model: model), out _);

        Assert.Equal("openai/gpt-4o", priced.Price!.Entry);
        Assert.False(priced.Price.RequestModelFallback);
        Assert.False(System.Text.Json.JsonDocument.Parse(priced.ToJson()).RootElement.GetProperty("price").TryGetProperty("requestModelFallback", out _));
    }

    [Fact]
    public void Price_RequestedModelAliasedButServedModelUnknown_SaysSo()
    {
        // An Azure deployment the application mapped: priced as it says, but the served model was still not found.
        var pricer = new CostPricer(PriceTable.Default, new Dictionary<string, string> { ["my-deployment"] = "gpt-4o" });
        var record = Record(Cached, model: "gpt-4o-some-future-snapshot-xyz") with { RequestModel = "my-deployment" };

        var fallback = pricer.Price(record, out _);
        var known = pricer.Price(record with { Model = "gpt-4o-2024-08-06" }, out _);

        Assert.Equal("openai/gpt-4o", fallback.Price!.Entry);
        Assert.True(fallback.Price.RequestModelFallback);
        Assert.False(known.Price!.RequestModelFallback);
    }

    [Fact]
    public void Price_SuccessfulCallWithoutUsage_CostUnknownNeverZero()
    {
        var record = Record(TokenUsage.None);
        var priced = Pricer.Price(record, out var outcome);

        Assert.Equal(PricingOutcome.MissingUsage, outcome);
        Assert.Same(record, priced);
        Assert.Null(priced.Cost);
        Assert.Null(priced.Price);
    }

    [Fact]
    public void Price_ReportedByProvider_KeepsTheProvidersAmount()
    {
        var reported = new CostBreakdown { Total = 0.42m, ReportedByProvider = true };
        var record = Record(Cached, cost: reported);

        Assert.Same(record, Pricer.Price(record, out var outcome));
        Assert.Equal(PricingOutcome.ReportedByProvider, outcome);
    }

    [Fact]
    public void Price_ModelNotInTheTable_UnknownModelAndNullCost()
    {
        var record = Record(Cached, model: "no-such-model") with { RequestModel = "no-such-model" };
        var priced = Pricer.Price(record, out var outcome);

        Assert.Equal(PricingOutcome.UnknownModel, outcome);
        Assert.Null(priced.Cost);
        Assert.Null(priced.Price);
    }

    [Fact]
    public void Price_FailedCallWithoutUsageOfUnknownModel_NotBillable()
    {
        var record = Record(TokenUsage.None, model: null, errorType: "500") with { RequestModel = "no-such-model" };
        Pricer.Price(record, out var outcome);

        Assert.Equal(PricingOutcome.NotBillable, outcome);
    }

    [Fact]
    public void Price_ResponseThatFailedMidBodyWithoutUsage_CostUnknownNotZero()
    {
        // A 200 whose body was reset (or timed out) before the provider's usage: it bills what it generated, which is
        // unknown — not the $0 of a call refused with an error status.
        var record = Record(TokenUsage.None, errorType: "System.IO.IOException") with { StatusCode = 200 };
        var priced = Pricer.Price(record, out var outcome);

        Assert.Equal(PricingOutcome.FailedAfterResponse, outcome);
        Assert.Null(priced.Cost);
        Assert.Null(priced.Price);
        Assert.Equal(0m, Pricer.Price(record with { StatusCode = 429, ErrorType = "429" }, out _).Cost!.Total);
    }

    [Fact]
    public void Price_ModelAlias_PricesTheAliasedEntry()
    {
        var pricer = new CostPricer(PriceTable.Default, new Dictionary<string, string> { ["my-deployment"] = "gpt-4o" });
        var priced = pricer.Price(Record(Cached, model: "my-deployment") with { RequestModel = "my-deployment" }, out var outcome);

        Assert.Equal(PricingOutcome.Priced, outcome);
        Assert.Equal(0.005615m, priced.Cost!.Total);
    }
}
