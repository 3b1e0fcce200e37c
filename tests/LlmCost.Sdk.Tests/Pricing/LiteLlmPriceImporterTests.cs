using System.Text;
using LlmCost.Sdk.PriceTools;

namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>
/// LiteLLM's model_prices_and_context_window.json, read from a real excerpt of the file
/// (Payloads/litellm-model-prices-excerpt.json, 15 unmodified entries; see SOURCES.md).
/// </summary>
public class LiteLlmPriceImporterTests
{
    private const string Excerpt = "litellm-model-prices-excerpt.json";

    private static PriceTable ImportExcerpt(List<(string Key, string Reason)>? skipped = null)
    {
        using var stream = File.OpenRead(Payloads.Path(Excerpt));
        return LiteLlmPriceImporter.Import(stream, "litellm-test", (key, reason) => skipped?.Add((key, reason)));
    }

    private static PriceTable ImportJson(string json, Action<string, string>? onSkipped = null) =>
        LiteLlmPriceImporter.Import(new MemoryStream(Encoding.UTF8.GetBytes(json)), "t", onSkipped);

    private static PricePeriod Period(PriceTable table, string id) => Assert.Single(Assert.IsType<PriceEntry>(table.Find(id)).Periods);

    [Fact]
    public void Import_RealExcerpt_ImportsTokenPricedModelsAndReportsTheRest()
    {
        var skipped = new List<(string Key, string Reason)>();

        var table = ImportExcerpt(skipped);

        Assert.Equal("litellm-test", table.Version);
        Assert.Equal(
            [
                "anthropic/claude-haiku-4-5",
                "anthropic/claude-sonnet-4-5",
                "aws.bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "aws.bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0",
                "gcp.gemini/gemini-2.5-pro",
                "groq/llama-3.3-70b-versatile",
                "groq/openai/gpt-oss-120b",
                "openai/gpt-3.5-turbo-instruct",
                "openai/gpt-4o",
                "openai/gpt-4o-mini",
            ],
            table.Entries.Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                "bedrock/us-west-2/qwen.qwen3-coder-next", // a regional price
                "cerebras/llama-3.3-70b",                  // a provider the SDK does not track
                "gemini/gemini-2.5-flash-preview-tts",     // audio_speech
                "gpt-4o-transcribe",                       // audio_transcription
                "sample_spec",                             // the format's description
            ],
            skipped.Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.Contains(skipped, s => s.Key == "gpt-4o-transcribe" && s.Reason.Contains("mode 'audio_transcription'", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.Key == "cerebras/llama-3.3-70b" && s.Reason.Contains("provider 'cerebras'", StringComparison.Ordinal));
        Assert.All(table.Entries, e =>
        {
            Assert.Equal(LiteLlmPriceImporter.Source, e.Source);
            Assert.Equal(new DateOnly(1, 1, 1), Assert.Single(e.Periods).EffectiveFrom); // LiteLLM has no dates
        });
    }

    [Fact]
    public void Import_Gpt4o_PerTokenBecomesPerMillionExactly_WithBatchAndPriorityTiers()
    {
        var gpt4o = Period(ImportExcerpt(), "openai/gpt-4o");

        // 2.5e-06, 1e-05, 1.25e-06 per token
        Assert.Equal(2.50m, gpt4o.Rates.Base.Input);
        Assert.Equal(10.00m, gpt4o.Rates.Base.Output);
        Assert.Equal(1.25m, gpt4o.Rates.Base.CachedInput);
        Assert.Null(gpt4o.Rates.Base.CacheWrite);
        Assert.Equal("2.5", gpt4o.Rates.Base.Input.ToString(System.Globalization.CultureInfo.InvariantCulture)); // no float noise, no trailing zeros

        // OpenAI's published Batch API price for gpt-4o: $1.25 input, $5.00 output per 1M tokens.
        var batch = gpt4o.ServiceTiers["batch"];
        Assert.Equal(1.25m, batch.Base.Input);
        Assert.Equal(5.00m, batch.Base.Output);
        Assert.Equal(1.25m, batch.Base.CachedInput); // not listed by LiteLLM for batch: the base cache-read rate, as LiteLLM prices it

        var priority = gpt4o.ServiceTiers["priority"];
        Assert.Equal(4.25m, priority.Base.Input);
        Assert.Equal(17.00m, priority.Base.Output);
        Assert.Equal(2.125m, priority.Base.CachedInput);
        Assert.False(gpt4o.ServiceTiers.ContainsKey("flex"));
    }

    [Fact]
    public void Import_ClaudeSonnet45_CacheWritesLongContextAndWebSearch()
    {
        var sonnet = Period(ImportExcerpt(), "anthropic/claude-sonnet-4-5");

        Assert.Equal(3m, sonnet.Rates.Base.Input);
        Assert.Equal(15m, sonnet.Rates.Base.Output);
        Assert.Equal(0.30m, sonnet.Rates.Base.CachedInput);
        Assert.Equal(3.75m, sonnet.Rates.Base.CacheWrite);
        Assert.Equal(6m, sonnet.Rates.Base.CacheWrite1h);
        Assert.Equal(10m, sonnet.WebSearch); // $0.01 per search = $10 per 1,000

        var longContext = Assert.Single(sonnet.Rates.LongContext);
        Assert.Equal(200_000, longContext.AboveInputTokens);
        Assert.Equal(6m, longContext.Rates.Input);
        Assert.Equal(22.50m, longContext.Rates.Output);
        Assert.Equal(0.60m, longContext.Rates.CachedInput);
        Assert.Equal(7.50m, longContext.Rates.CacheWrite);
        Assert.Equal(12m, longContext.Rates.CacheWrite1h); // cache_creation_input_token_cost_above_1hr_above_200k_tokens
    }

    [Fact]
    public void Import_GeminiWithRoutingPrefix_IsTheGeminiApiModelWithItsLongContextAndPriorityTiers()
    {
        var table = ImportExcerpt();
        var pro = Period(table, "gcp.gemini/gemini-2.5-pro");

        Assert.Equal(1.25m, pro.Rates.Base.Input); // 1.25e-06
        Assert.Equal(10m, pro.Rates.Base.Output);
        Assert.Equal(0.125m, pro.Rates.Base.CachedInput);
        var longContext = Assert.Single(pro.Rates.LongContext);
        Assert.Equal((200_000L, 2.5m, 15m, 0.25m), (longContext.AboveInputTokens, longContext.Rates.Input, longContext.Rates.Output, longContext.Rates.CachedInput));

        // "input_cost_per_token_above_200k_tokens_priority": the priority tier's own long-context tier.
        var priority = pro.ServiceTiers["priority"];
        var priorityLong = Assert.Single(priority.LongContext);
        Assert.Equal((2.5m, 15m, 0.25m), (priorityLong.Rates.Input, priorityLong.Rates.Output, priorityLong.Rates.CachedInput));

        // The table's documented fallbacks work on an imported table: Gemini on Vertex AI at the Gemini API's price.
        Assert.True(table.TryGetEntry("gcp.vertex_ai", "gemini-2.5-pro", out var vertex));
        Assert.Equal("gcp.gemini/gemini-2.5-pro", vertex.Id);
    }

    [Theory]
    [InlineData("groq", "llama-3.3-70b-versatile", "groq/llama-3.3-70b-versatile", 0.59, 0.79)]
    [InlineData("groq", "openai/gpt-oss-120b", "groq/openai/gpt-oss-120b", 0.15, 0.60)] // Groq's own model id keeps its '/'
    [InlineData("aws.bedrock", "us.anthropic.claude-3-5-haiku-20241022-v1:0", "aws.bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0", 0.80, 4.00)]
    [InlineData("aws.bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws.bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0", 3.00, 15.00)]
    [InlineData("openai", "gpt-3.5-turbo-instruct", "openai/gpt-3.5-turbo-instruct", 1.50, 2.00)] // text-completion-openai
    [InlineData("openai", "gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini", 0.15, 0.60)] // a snapshot id the table normalizes
    public void TryGetEntry_ImportedTable_FindsModelsAsResponsesNameThem(string provider, string model, string expectedId, double input, double output)
    {
        var table = ImportExcerpt();

        Assert.True(table.TryGetEntry(provider, model, out var entry));
        Assert.Equal(expectedId, entry.Id);
        Assert.Equal((decimal)input, entry.Periods[0].Rates.Base.Input);
        Assert.Equal((decimal)output, entry.Periods[0].Rates.Base.Output);
    }

    [Fact]
    public void Calculate_ImportedClaudeSonnet45_CostsWhatTheEmbeddedTableCharges()
    {
        var imported = Period(ImportExcerpt(), "anthropic/claude-sonnet-4-5");
        Assert.True(PriceTable.Default.TryGetEntry("anthropic", "claude-sonnet-4-5", out var embedded));
        var usage = new TokenUsage { InputTokens = 17_843, CachedInputTokens = 14_723, CacheWriteInputTokens = 3_117, OutputTokens = 1, Source = UsageSource.Provider };

        var cost = CostCalculator.Calculate(usage, imported, "USD");

        // 3 × $3 + 14,723 × $0.30 + 3,117 × $3.75 + 1 × $15 per 1M tokens
        Assert.Equal(0.000009m + 0.0044169m + 0.01168875m + 0.000015m, cost.Total);
        Assert.Equal(0.01612965m, cost.Total);
        Assert.Equal(CostCalculator.Calculate(usage, embedded.PeriodAt(new DateOnly(2026, 11, 23)), "USD").Total, cost.Total);
    }

    [Fact]
    public void Import_EmbeddingWithInputCostOnly_HasOutputZero()
    {
        // The shape of LiteLLM's embedding entries: input cost only.
        var table = ImportJson("""{"text-embedding-3-small":{"input_cost_per_token":2e-08,"litellm_provider":"openai","max_input_tokens":8191,"mode":"embedding","output_cost_per_token":0.0}, "text-embedding-3-large":{"input_cost_per_token":1.3e-07,"litellm_provider":"openai","mode":"embedding"}}""");

        Assert.Equal((0.02m, 0m), (Period(table, "openai/text-embedding-3-small").Rates.Base.Input, Period(table, "openai/text-embedding-3-small").Rates.Base.Output));
        Assert.Equal((0.13m, 0m), (Period(table, "openai/text-embedding-3-large").Rates.Base.Input, Period(table, "openai/text-embedding-3-large").Rates.Base.Output));
    }

    [Fact]
    public void Import_ProvidersAndPrefixes_MapToTheSdkNames()
    {
        var skipped = new List<string>();
        var table = ImportJson(
            """
            {
              "azure/gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "litellm_provider": "azure", "mode": "chat"},
              "azure/eu/gpt-4o-2024-08-06": {"input_cost_per_token": 2.75e-06, "output_cost_per_token": 1.1e-05, "litellm_provider": "azure", "mode": "chat"},
              "vertex_ai/claude-sonnet-4-5@20250929": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "litellm_provider": "vertex_ai-anthropic_models", "mode": "chat"},
              "gemini-2.5-flash": {"input_cost_per_token": 3e-07, "output_cost_per_token": 2.5e-06, "litellm_provider": "vertex_ai-language-models", "mode": "chat"},
              "mistral/mistral-large-latest": {"input_cost_per_token": 2e-06, "output_cost_per_token": 6e-06, "litellm_provider": "mistral", "mode": "chat"},
              "deepseek/deepseek-chat": {"input_cost_per_token": 2.7e-07, "input_cost_per_token_cache_hit": 7e-08, "output_cost_per_token": 1.1e-06, "litellm_provider": "deepseek", "mode": "chat"},
              "xai/grok-3": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "litellm_provider": "xai", "mode": "chat"},
              "openrouter/anthropic/claude-sonnet-4.5": {"input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05, "litellm_provider": "openrouter", "mode": "chat"},
              "gpt-4o": {"input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai", "mode": "chat"},
              "openai/gpt-4o": {"input_cost_per_token": 5e-06, "output_cost_per_token": 1e-05, "litellm_provider": "openai", "mode": "chat"},
              "o1-pro": {"input_cost_per_token": 0.00015, "output_cost_per_token": 0.0006, "litellm_provider": "openai", "mode": "responses"},
              "gpt-image-1": {"input_cost_per_token": 5e-06, "output_cost_per_token": 4e-05, "litellm_provider": "openai", "mode": "image_generation"},
              "no-output": {"input_cost_per_token": 1e-06, "litellm_provider": "openai", "mode": "chat"}
            }
            """,
            (key, reason) => skipped.Add(key + ": " + reason));

        Assert.Equal(
            [
                "azure.ai.openai/gpt-4o",
                "deepseek/deepseek-chat",
                "gcp.vertex_ai/claude-sonnet-4-5@20250929",
                "gcp.vertex_ai/gemini-2.5-flash",
                "mistral_ai/mistral-large-latest",
                "openai/gpt-4o",
                "openai/o1-pro",
                "openrouter/anthropic/claude-sonnet-4.5",
                "x_ai/grok-3",
            ],
            table.Entries.Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.Equal(0.07m, Period(table, "deepseek/deepseek-chat").Rates.Base.CachedInput); // input_cost_per_token_cache_hit
        Assert.Equal(2.5m, Period(table, "openai/gpt-4o").Rates.Base.Input); // the first key for a model wins
        Assert.Contains("azure/eu/gpt-4o-2024-08-06: it is a regional or deployment-specific price; calls are priced through the model's own entry", skipped);
        Assert.Contains("openai/gpt-4o: it prices 'openai/gpt-4o', which key 'gpt-4o' already priced", skipped);
        Assert.Contains("gpt-image-1: mode 'image_generation' is not priced per token by this SDK", skipped);
        Assert.Contains("no-output: it has no 'output_cost_per_token'", skipped);
    }

    [Theory]
    [InlineData("""{"gpt-x":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":"2.5e-06","output_cost_per_token":1e-05}}""", "LiteLLM entry 'gpt-x': 'input_cost_per_token' must be a number (cost per token), not \"2.5e-06\"")]
    [InlineData("""{"gpt-x":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":2.5e-06,"output_cost_per_token":-1e-05}}""", "LiteLLM entry 'gpt-x': 'output_cost_per_token' is negative")]
    [InlineData("""{"gpt-x":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":2.5e-06,"output_cost_per_token":1e-05,"input_cost_per_token_batches":true}}""", "LiteLLM entry 'gpt-x': 'input_cost_per_token_batches' must be a number")]
    [InlineData("""{"claude-x":{"litellm_provider":"anthropic","mode":"chat","input_cost_per_token":3e-06,"output_cost_per_token":1.5e-05,"search_context_cost_per_query":0.01}}""", "LiteLLM entry 'claude-x': 'search_context_cost_per_query' must be an object")]
    [InlineData("""[1, 2]""", "must be a JSON object keyed by model")]
    [InlineData("""{ "gpt-x": """, "not valid JSON")]
    public void Import_InvalidData_ThrowsNamingTheKey(string json, string expected)
    {
        var ex = Assert.Throws<PriceTableException>(() => ImportJson(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportFile_DefaultVersion_NamesTheFileContent()
    {
        var path = Path.Combine(Path.GetTempPath(), $"litellm-{Guid.NewGuid():N}.json");
        File.Copy(Payloads.Path(Excerpt), path);
        try
        {
            var first = LiteLlmPriceImporter.ImportFile(path);
            var again = LiteLlmPriceImporter.ImportFile(path);
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"input_cost_per_token\": 2.5e-06,", "\"input_cost_per_token\": 2.6e-06,", StringComparison.Ordinal));
            var changed = LiteLlmPriceImporter.ImportFile(path);

            Assert.Matches("^litellm-[0-9a-f]{12}$", first.Version);
            Assert.Equal(first.Version, again.Version);
            Assert.NotEqual(first.Version, changed.Version);
            Assert.Equal(2.6m, Period(changed, "openai/gpt-4o").Rates.Base.Input);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ImportFile_InvalidData_NamesTheKeyAndTheFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"litellm-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"gpt-x":{"litellm_provider":"openai","mode":"chat","input_cost_per_token":-2.5e-06,"output_cost_per_token":1e-05}}""");
        try
        {
            var ex = Assert.Throws<PriceTableException>(() => LiteLlmPriceImporter.ImportFile(path));

            Assert.Contains("LiteLLM entry 'gpt-x': 'input_cost_per_token' is negative", ex.Message, StringComparison.Ordinal);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
