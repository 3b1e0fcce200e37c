using System.Text.Json;
using System.Text.Json.Nodes;
using LlmCost.Sdk.PriceTools;

namespace LlmCost.Sdk.Tests.PriceTools;

/// <summary>
/// The generator of the embedded table (tools/LlmCost.Sdk.PriceTools): reproducible from the pinned inputs, loud on
/// a rule it cannot represent, strict about sources.
/// </summary>
public class PriceTableGeneratorTests
{
    private static string Repo(string relative) => Path.Combine(PriceTableGenerator.RepositoryRootFrom(AppContext.BaseDirectory), relative);

    private static string Snapshot => File.ReadAllText(Repo(PriceTableGenerator.DefaultSnapshot));

    private static string Overrides => File.ReadAllText(Repo(PriceTableGenerator.DefaultOverrides));

    /// <summary>A snapshot with one provider and one model, and overrides that map it and nothing else.</summary>
    private static (string Snapshot, string Overrides) Tiny(string prices)
    {
        var snapshot = $$"""
            {"package":"@pydantic/genai-prices","version":"0.0.0","published":"2026-09-23","repository":"r","license":"MIT","licenseText":"Copyright (c) x",
             "providers":[{"id":"openai","pricing_urls":["https://example.com/pricing"],"models":[{"id":"m-1","match":{"equals":"m-1"},"prices":{{prices}}}]}]}
            """;
        var overrides = """
            {"tableVersion":"t","providers":{"openai":"openai"},"unsupportedPriceKeys":{},"excludedModels":[],"entries":[],"released":[],"serviceTiers":[],"regionalUplift":[]}
            """;
        return (snapshot, overrides);
    }

    [Fact]
    public void Generate_PinnedInputs_IsByteIdenticalToTheEmbeddedTable()
    {
        var generated = PriceTableGenerator.Generate(Snapshot, Overrides);

        Assert.Equal(File.ReadAllText(Repo(PriceTableGenerator.DefaultOutput)), generated);
    }

    [Fact]
    public void Generate_EmbeddedTable_KeepsTheLicenceNoticeOfItsSource()
    {
        using var table = JsonDocument.Parse(File.ReadAllText(Repo(PriceTableGenerator.DefaultOutput)));
        var genai = table.RootElement.GetProperty("generatedFrom").GetProperty("genaiPrices");

        Assert.Equal("MIT", genai.GetProperty("license").GetString());
        Assert.StartsWith("Copyright (c) Pydantic Services Inc.", genai.GetProperty("copyright").GetString(), StringComparison.Ordinal);
        Assert.Equal("0.1.8", genai.GetProperty("version").GetString());
        Assert.Contains("genai-prices", File.ReadAllText(Repo("THIRD-PARTY-NOTICES.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"input_mtok":1,"output_mtok":2,"input_video_mtok":3}""", "openai model 'm-1': price key 'input_video_mtok' cannot be represented")]
    [InlineData("""{"input_mtok":1,"output_mtok":2,"web_searches_kcount":{"base":10,"tiers":[{"start":1000,"price":5}]}}""", "price key 'web_searches_kcount' has a shape the table cannot represent")]
    [InlineData("""[{"prices":{"input_mtok":1,"output_mtok":2}},{"constraint":{"type":"day_of_week","days":[1]},"prices":{"input_mtok":2,"output_mtok":4}}]""", "price constraint type 'day_of_week' cannot be represented")]
    [InlineData("""[{"prices":{"input_mtok":1,"output_mtok":2}},{"constraint":{"start_time":"01:00:00+08:00","end_time":"04:00:00+08:00","type":"time_of_date"},"prices":{"input_mtok":2,"output_mtok":4}}]""", "is not a whole-minute UTC time")]
    [InlineData("""[{"prices":{"input_mtok":1,"output_mtok":2}},{"constraint":{"start_date":"2026-01-01","type":"start_date"},"prices":{"input_mtok":2,"output_mtok":4}},{"constraint":{"start_date":"2025-01-01","type":"start_date"},"prices":{"input_mtok":3,"output_mtok":4}}]""", "start_date 2025-01-01 is not after the previous period")]
    public void Generate_RuleItCannotRepresent_FailsNamingTheModelAndTheRule(string prices, string expected)
    {
        var (snapshot, overrides) = Tiny(prices);

        var ex = Assert.Throws<PriceGenerationException>(() => PriceTableGenerator.Generate(snapshot, overrides));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_TimeOfDayWindowsAndTiers_BecomeTheTablesRules()
    {
        var (snapshot, overrides) = Tiny("""
            [{"prices":{"input_mtok":{"base":1,"tiers":[{"start":200000,"price":2}]},"output_mtok":4,"input_audio_mtok":40}},
             {"constraint":{"start_date":"2026-08-17","type":"start_date"},"prices":{"input_mtok":0.5,"output_mtok":2}},
             {"constraint":{"start_time":"01:00:00Z","end_time":"04:00:00Z","type":"time_of_date"},"prices":{"input_mtok":1,"output_mtok":4}}]
            """);

        var entry = PriceTable.Parse(PriceTableGenerator.Generate(snapshot, overrides)).Find("openai/m-1")!;

        Assert.Equal(2, entry.Periods.Count);
        var first = entry.Periods[0];
        Assert.Equal(DateOnly.MinValue, first.EffectiveFrom); // no start date published: in force since the model was offered
        Assert.Equal((1m, 4m, 40m), (first.Rates.Base.Input, first.Rates.Base.Output, first.Rates.Base.AudioInput));
        var tier = Assert.Single(first.Rates.LongContext);
        Assert.Equal((200_000L, 2m, 4m, 40m), (tier.AboveInputTokens, tier.Rates.Input, tier.Rates.Output, tier.Rates.AudioInput));
        Assert.Empty(first.Windows);

        var second = entry.Periods[1];
        Assert.Equal(new DateOnly(2026, 8, 17), second.EffectiveFrom);
        var window = Assert.Single(second.Windows); // the window belongs to the period opened before it
        Assert.Equal((new TimeOnly(1, 0), new TimeOnly(4, 0), 1m), (window.Start, window.End, window.Rates.Base.Input));
    }

    [Theory]
    [InlineData("source")]
    [InlineData("retrieved")]
    [InlineData("reason")]
    public void Generate_OverrideWithoutItsSourceDateOrReason_Fails(string field)
    {
        var overrides = JsonNode.Parse(Overrides, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
        overrides["entries"]![0]!.AsObject().Remove(field);

        var ex = Assert.Throws<PriceGenerationException>(() => PriceTableGenerator.Generate(Snapshot, overrides.ToJsonString()));

        Assert.Contains($"'{field}' is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_ExclusionOfAModelTheSnapshotLacks_Fails()
    {
        var overrides = JsonNode.Parse(Overrides)!;
        overrides["excludedModels"]!.AsArray().Add(JsonNode.Parse("""{"provider":"openai","model":"no-such-model","reason":"r"}"""));

        var ex = Assert.Throws<PriceGenerationException>(() => PriceTableGenerator.Generate(Snapshot, overrides.ToJsonString()));

        Assert.Contains("'openai/no-such-model', which the snapshot does not have", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SameSnapshot_ListsOnlyTheOverridesAndReturnsZero()
    {
        using var output = new StringWriter();

        var code = PriceCheck.Check(["--genai-prices", Repo(PriceTableGenerator.DefaultSnapshot)], output);

        Assert.Equal(0, code);
        Assert.Contains("No differences.", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("override             deepseek/deepseek-v4-flash: DeepSeek's page wins", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NewerSnapshotWithAChangedAndANewModel_ListsBoth()
    {
        var snapshot = JsonNode.Parse(Snapshot)!;
        var openai = snapshot["providers"]!.AsArray().Single(p => (string?)p!["id"] == "openai")!;
        var models = openai["models"]!.AsArray();
        var gpt41 = models.Single(m => (string?)m!["id"] == "gpt-4.1")!;
        gpt41["prices"]!["input_mtok"] = 1.5;
        models.Add(JsonNode.Parse("""{"id":"gpt-7","match":{"equals":"gpt-7"},"prices":{"input_mtok":20,"output_mtok":80}}"""));
        var path = Path.Combine(Path.GetTempPath(), $"genai-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, snapshot.ToJsonString());
        try
        {
            using var output = new StringWriter();

            var code = PriceCheck.Check(["--genai-prices", path], output);

            Assert.Equal(1, code);
            Assert.Contains("genai-prices differs openai/gpt-4.1: table from 2025-04-14: in 2 cached 0.5", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("snapshot from 2025-04-14: in 1.5 cached 0.5", output.ToString(), StringComparison.Ordinal);
            Assert.Contains("table lacks          openai/gpt-7 (in genai-prices: from 0001-01-01: in 20", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Check_LiteLlmMap_ListsEveryModelWhoseRateDiffersOrThatOneSideLacks()
    {
        using var output = new StringWriter();

        var code = PriceCheck.Check(["--litellm", Payloads.Path("litellm-model-prices-excerpt.json"), "--at", "2026-11-30"], output);

        Assert.Equal(1, code);
        var text = output.ToString();
        Assert.Contains("LiteLLM lacks        openai/gpt-6-astra", text, StringComparison.Ordinal);
        Assert.DoesNotContain("LiteLLM differs      openai/gpt-4o ", text, StringComparison.Ordinal); // same rates on both sides
    }

    [Fact]
    public void Check_NoSnapshot_PrintsUsageAndReturnsTwo()
    {
        using var output = new StringWriter();

        Assert.Equal(2, PriceCheck.Check([], output));
        Assert.Contains("usage: check --genai-prices", output.ToString(), StringComparison.Ordinal);
    }
    [Fact]
    public void Generate_StartDateAtAnInstant_PeriodStartsThen()
    {
        var (snapshot, overrides) = Tiny("""
            [{"prices":{"input_mtok":1,"output_mtok":2}},
             {"constraint":{"start_date":"2026-08-16T16:00:00Z","type":"start_date"},"prices":{"input_mtok":0.5,"output_mtok":2}}]
            """);

        var json = PriceTableGenerator.Generate(snapshot, overrides);
        var second = PriceTable.Parse(json).Find("openai/m-1")!.Periods[1];

        Assert.Equal(new DateTimeOffset(2026, 8, 16, 16, 0, 0, TimeSpan.Zero), second.EffectiveFromUtc);
        Assert.Contains("\"effectiveFrom\": \"2026-08-16T16:00:00Z\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_MaxOutputTokens_SetOnTheEntriesARuleNames_WithItsSource()
    {
        var (snapshot, overrides) = Tiny("""{"input_mtok":1,"output_mtok":2}""");
        var o = JsonNode.Parse(overrides)!.AsObject();
        o["maxOutputTokens"] = JsonNode.Parse("""[{"models":["openai/m-1"],"tokens":128000,"source":"https://example.com/models","retrieved":"2026-11-30","reason":"documented"}]""");

        var json = PriceTableGenerator.Generate(snapshot, o.ToJsonString());

        Assert.Equal(128_000, PriceTable.Parse(json).Find("openai/m-1")!.MaxOutputTokens);
        Assert.Contains("\"maxOutputTokens\": 128000", json, StringComparison.Ordinal);

        o["maxOutputTokens"]![0]!.AsObject().Remove("source");
        Assert.Contains("'source' is required", Assert.Throws<PriceGenerationException>(() => PriceTableGenerator.Generate(snapshot, o.ToJsonString())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_ServiceTierListedRates_TakenExactly_OnlyForOnePeriod()
    {
        var (snapshot, overrides) = Tiny("""{"input_mtok":1.1,"cache_read_mtok":0.275,"output_mtok":4.4}""");
        var o = JsonNode.Parse(overrides)!.AsObject();
        o["serviceTiers"] = JsonNode.Parse("""
            [{"provider":"openai","tier":"priority","source":"https://openai.com/api-priority-processing/","retrieved":"2026-11-30","reason":"listed","multiplier":0.5,
              "models":[{"model":"m-1","rates":{"input":2.0,"cachedInput":0.5,"output":8.0}}]}]
            """);

        var priority = PriceTable.Parse(PriceTableGenerator.Generate(snapshot, o.ToJsonString())).Find("openai/m-1")!.Periods[0].ServiceTiers["priority"].Base;

        Assert.Equal((2.0m, 0.5m, 8.0m), (priority.Input, priority.CachedInput!.Value, priority.Output)); // 1.8182 x 1.1 would be 2.00002

        var (dated, _) = Tiny("""
            [{"prices":{"input_mtok":1,"output_mtok":2}},{"constraint":{"start_date":"2026-01-01","type":"start_date"},"prices":{"input_mtok":2,"output_mtok":4}}]
            """);
        Assert.Contains("listed tier rates carry no dates", Assert.Throws<PriceGenerationException>(() => PriceTableGenerator.Generate(dated, o.ToJsonString())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_ServiceTierModelWithoutMultiplierOrRates_FailsNamingIt_WhenTheTierGivesNone()
    {
        // OpenAI priority differs per model: a model added without its own ratio must not silently take a default one.
        var (snapshot, overrides) = Tiny("""{"input_mtok":1.1,"output_mtok":4.4}""");
        var o = JsonNode.Parse(overrides)!.AsObject();
        o["serviceTiers"] = JsonNode.Parse("""
            [{"provider":"openai","tier":"priority","source":"https://openai.com/api-priority-processing/","retrieved":"2026-11-30","reason":"per model",
              "models":[{"model":"m-1"}]}]
            """);

        var error = Assert.Throws<PriceGenerationException>(() => PriceTableGenerator.Generate(snapshot, o.ToJsonString()));
        Assert.Contains("m-1 has neither a multiplier nor rates", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_VideoInputAtInputRate_EveryRateSetGetsItsInputRateForVideo()
    {
        var (snapshot, overrides) = Tiny("""{"input_mtok":{"base":1,"tiers":[{"start":200000,"price":2}]},"output_mtok":4}""");
        var o = JsonNode.Parse(overrides)!.AsObject();
        o["videoInputAtInputRate"] = JsonNode.Parse("""[{"provider":"openai","models":["m-1"],"source":"https://example.com/pricing","retrieved":"2026-11-30","reason":"text / image / video"}]""");

        var rates = PriceTable.Parse(PriceTableGenerator.Generate(snapshot, o.ToJsonString())).Find("openai/m-1")!.Periods[0].Rates;

        Assert.Equal(1m, rates.Base.VideoInput);
        Assert.Equal(2m, Assert.Single(rates.LongContext).Rates.VideoInput);
        Assert.Null(PriceTable.Parse(PriceTableGenerator.Generate(snapshot, overrides)).Find("openai/m-1")!.Periods[0].Rates.Base.VideoInput);
    }

    [Fact]
    public void Check_LiteLlmMap_ComparesServiceTiersToo()
    {
        using var output = new StringWriter();

        PriceCheck.Check(["--litellm", Payloads.Path("litellm-model-prices-excerpt.json"), "--at", "2026-11-30T12:00:00Z"], output);

        var text = output.ToString();

        // LiteLLM lists gpt-4o's batch input and output but not its cached rate, which it then prices at the standard $1.25;
        // OpenAI bills cached batch input at half ($0.625), as the table does. Priority ($4.25 / $2.125 / $17) agrees.
        Assert.Contains("LiteLLM tier differs openai/gpt-4o 'batch'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("LiteLLM tier differs openai/gpt-4o 'priority'", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddedTable_OpenAiPriorityRates_AreThePagesRatesExactly()
    {
        // openai.com/api-priority-processing: o4-mini $2 / $0.50 / $8, GPT-4o mini $0.25 / $0.125 / $1, GPT-5.5 $12.50 / $1.25 / $75.
        static PriceRates Priority(string model) => PriceTable.Default.Find("openai/" + model)!.Periods[^1].ServiceTiers["priority"].Base;

        Assert.Equal((2m, 0.5m, 8m), (Priority("o4-mini").Input, Priority("o4-mini").CachedInput!.Value, Priority("o4-mini").Output));
        Assert.Equal((0.25m, 0.125m, 1m), (Priority("gpt-4o-mini").Input, Priority("gpt-4o-mini").CachedInput!.Value, Priority("gpt-4o-mini").Output));
        Assert.Equal((12.5m, 1.25m, 75m), (Priority("gpt-5.5").Input, Priority("gpt-5.5").CachedInput!.Value, Priority("gpt-5.5").Output));
        Assert.Equal((5m, 0.5m, 30m), (Priority("gpt-5.4").Input, Priority("gpt-5.4").CachedInput!.Value, Priority("gpt-5.4").Output));
    }
}
