using System.Globalization;

namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>
/// The data of the embedded price table (<c>Pricing/prices.json</c>): it loads, every entry says where its prices come
/// from, the rates are sane, and concrete calls are priced to the cent at the providers' published prices — service
/// tiers, long-context tiers, cache writes, historic periods and the documented model-id normalizations included.
/// </summary>
public class PriceTableDataTests
{
    private static readonly DateOnly Today = new(2026, 11, 30);

    private static readonly string[] Providers =
        [LlmProviders.OpenAI, LlmProviders.Anthropic, LlmProviders.GcpGemini, LlmProviders.AwsBedrock, LlmProviders.MistralAI, LlmProviders.DeepSeek, LlmProviders.Groq, LlmProviders.XAI];

    [Fact]
    public void Default_EmbeddedTable_LoadsDataVersion2026_11_4()
    {
        var table = PriceTable.Default;

        Assert.Equal(3, table.SchemaVersion);
        Assert.Equal("2026.11.6", table.Version);
        Assert.Equal("USD", table.Currency);
        Assert.All(Providers, p => Assert.Contains(table.Entries, e => e.Provider == p));
    }

    [Fact]
    public void Default_EveryEntry_NamesAnHttpsSourceAndTheDayItWasRead()
    {
        Assert.All(PriceTable.Default.Entries, e =>
        {
            Assert.True(Uri.TryCreate(e.Source, UriKind.Absolute, out var source) && source.Scheme == Uri.UriSchemeHttps, $"{e.Id}: source '{e.Source}'");
            Assert.NotNull(e.Retrieved);
            Assert.True(e.Retrieved <= Today, $"{e.Id}: retrieved {e.Retrieved}");
        });
    }

    [Fact]
    public void Default_EveryPeriod_HasSaneRates()
    {
        Assert.All(PriceTable.Default.Entries.SelectMany(e => e.Periods.Select(p => (e, p))), item =>
        {
            var (e, p) = item;
            var where = $"{e.Id} from {p.EffectiveFrom:yyyy-MM-dd}";
            // A change a provider has announced (Gemini 3.6 Flash's introductory rates end on 2026-12-31) is a dated period.
            Assert.True(p.EffectiveFrom <= Today.AddYears(1), where);
            Assert.True(p.RegionalUplift is null or > 1m and < 2m, where);
            Assert.True(p.WebSearch is null or > 0m, where);
            foreach (var (name, rates) in p.ServiceTiers.Prepend(new("base", p.Rates)).Concat(p.Windows.Select(w => new KeyValuePair<string, TieredPriceRates>($"window {w.Start}", w.Rates))))
            {
                foreach (var r in rates.LongContext.Select(t => t.Rates).Prepend(rates.Base))
                {
                    Assert.True(r.Input >= 0m && r.Output >= 0m, $"{where} {name}");
                    Assert.True(r.CachedInput is null || (r.CachedInput >= 0m && r.CachedInput <= r.Input), $"{where} {name}: a cache hit costs no more than input");
                    Assert.True(r.CacheWrite is null || r.CacheWrite >= r.Input, $"{where} {name}: a cache write costs at least input");
                    Assert.True(r.CacheWrite1h is null || r.CacheWrite1h >= r.CacheWrite, $"{where} {name}: a 1-hour write costs at least a 5-minute one");
                }

                foreach (var tier in rates.LongContext)
                {
                    Assert.True(tier.Rates.Input >= rates.Base.Input && tier.Rates.Output >= rates.Base.Output, $"{where} {name}: long context costs more");
                }
            }
        });
    }

    [Fact]
    public void Default_BatchTiers_AreHalfTheStandardInputAndOutputRates()
    {
        var batched = PriceTable.Default.Entries.SelectMany(e => e.Periods.Select(p => (e, p))).Where(x => x.p.ServiceTiers.ContainsKey("batch")).ToList();

        Assert.NotEmpty(batched);
        Assert.All(batched, x =>
        {
            var batch = x.p.ServiceTiers["batch"];
            Assert.True(batch.Base.Input * 2 == x.p.Rates.Base.Input && batch.Base.Output * 2 == x.p.Rates.Base.Output, $"{x.e.Id}: batch {batch.Base.Input}/{batch.Base.Output} vs {x.p.Rates.Base.Input}/{x.p.Rates.Base.Output}");
            Assert.Equal(x.p.Rates.LongContext.Count, batch.LongContext.Count);
        });
    }

    [Fact]
    public void Default_ClaudeEntries_FollowAnthropicsCacheMultipliersAndBillWebSearch()
    {
        // Prompt caching: 5-minute writes 1.25x input, 1-hour writes 2x, hits 0.1x; Claude Haiku 3 is published apart.
        // Claude 1 and 2 (no prompt caching) are priced by input and output only.
        // Claude Fable 5.1 (0.025x) and Opus 5.5 (0.05x) have cheaper cache hits (platform.claude.com/docs/en/about-claude/pricing).
        var special = new[] { "claude-3-haiku", "claude-fable-5-1", "claude-opus-5-5" };
        var claude = PriceTable.Default.Entries.Where(e => e.Provider == LlmProviders.Anthropic && !special.Contains(e.Model) && e.Periods[0].Rates.Base.CachedInput is not null).ToList();

        Assert.NotEmpty(claude);
        Assert.All(claude.SelectMany(e => e.Periods), period =>
        {
            var p = period.Rates.Base;
            Assert.Equal(p.Input * 1.25m, p.CacheWrite);
            Assert.Equal(p.Input * 2m, p.CacheWrite1h);
            Assert.Equal(p.Input * 0.1m, p.CachedInput);
            Assert.Equal(p.Input * 5m, p.Output);
            Assert.Equal(p.Input / 2, period.ServiceTiers["batch"].Base.Input);
            Assert.Equal(p.CacheWrite / 2, period.ServiceTiers["batch"].Base.CacheWrite);
        });
        Assert.All(claude.Where(e => e.Model is not ("claude-3-opus" or "claude-3-sonnet")).SelectMany(e => e.Periods), p => Assert.Equal(10m, p.WebSearch));
    }

    [Theory]
    [InlineData("claude-sonnet-4-5", true)]
    [InlineData("claude-haiku-4-5", true)]
    [InlineData("claude-opus-4-5", true)]
    [InlineData("claude-opus-4-6", true)]
    [InlineData("claude-sonnet-4-6", true)]
    [InlineData("claude-opus-5", true)]
    [InlineData("claude-opus-4-8", true)]
    [InlineData("claude-sonnet-4", false)]
    [InlineData("claude-opus-4-1", false)]
    [InlineData("claude-3-7-sonnet", false)]
    public void Default_ClaudeRegionalUplift_OnlyFromSonnet45AndHaiku45On(string model, bool uplifted)
    {
        Assert.True(PriceTable.Default.TryGetEntry(LlmProviders.Anthropic, model, out var entry));

        Assert.All(entry.Periods, p => Assert.Equal(uplifted ? 1.1m : null, p.RegionalUplift));
    }

    [Theory]
    [InlineData("openai", "gpt-5.2")]
    [InlineData("openai", "gpt-5.2-2025-12-11")]
    [InlineData("openai", "gpt-5.2-chat-latest")]
    [InlineData("openai", "gpt-5.2-pro")]
    [InlineData("openai", "gpt-5.1-2025-11-13")]
    [InlineData("openai", "gpt-5.1-chat-latest")]
    [InlineData("openai", "gpt-5-chat-latest")]
    [InlineData("openai", "gpt-5-mini-2025-08-07")]
    [InlineData("openai", "gpt-5-nano-2025-08-07")]
    [InlineData("openai", "gpt-5-pro-2025-10-06")]
    [InlineData("openai", "gpt-4.1-mini-2025-04-14")]
    [InlineData("openai", "gpt-4.1-nano-2025-04-14")]
    [InlineData("openai", "gpt-4o-2024-05-13")]
    [InlineData("openai", "o1-pro-2025-03-19")]
    [InlineData("openai", "o1-mini-2024-09-12")]
    [InlineData("openai", "o3-pro-2025-06-10")]
    [InlineData("openai", "o3-mini-2025-01-31")]
    [InlineData("openai", "o4-mini-2025-04-16")]
    [InlineData("openai", "gpt-4-1106-preview")]
    [InlineData("openai", "gpt-4-0314")]
    [InlineData("openai", "gpt-3.5-turbo-1106")]
    [InlineData("openai", "text-embedding-3-large")]
    [InlineData("openai", "text-embedding-ada-002")]
    [InlineData("anthropic", "claude-opus-5")]
    [InlineData("anthropic", "claude-opus-4-6")]
    [InlineData("anthropic", "claude-sonnet-4-6")]
    [InlineData("anthropic", "claude-opus-4-1-20250805")]
    [InlineData("anthropic", "claude-opus-4-0")]
    [InlineData("anthropic", "claude-sonnet-4-0")]
    [InlineData("anthropic", "claude-3-7-sonnet-latest")]
    [InlineData("anthropic", "claude-haiku-4-5-20251001")]
    [InlineData("anthropic", "claude-3-5-sonnet-20240620")]
    [InlineData("anthropic", "claude-3-opus-latest")]
    [InlineData("anthropic", "claude-3-haiku-20240307")]
    public void Default_ModelIdsOfTheEarlierTable_AreStillPriced(string provider, string model) =>
        Assert.True(PriceTable.Default.TryGetEntry(provider, model, out _), $"{provider}/{model}");

    /// <summary>Concrete calls priced at the published rates (USD per 1M tokens), as <see cref="CostCalculator"/> bills them.</summary>
    /// <remarks>Columns: provider and model as a response or URL names them, the day of the call, input tokens (all),
    /// of which cache hits, of which cache writes, of which 1-hour writes, output tokens, web searches, served tier,
    /// region, the entry that must price it, and the exact total.</remarks>
    [Theory]
    // OpenAI standard: 8,000 x $1.25 + 2,000 cached x $0.125 + 1,000 x $10.
    [InlineData("openai", "gpt-5-2025-08-07", "2026-11-23", 10_000, 2_000, 0, 0, 1_000, 0, null, null, "openai/gpt-5", "0.02025")]
    // Azure OpenAI (global standard) falls back to OpenAI's rates: DESIGN.md's example, $2.50 / $1.25 / $10.
    [InlineData("azure.ai.openai", "gpt-4o-2024-11-20", "2026-11-23", 1_200, 1_024, 0, 0, 350, 0, null, null, "openai/gpt-4o", "0.00522")]
    // Batch API, 50%: gpt-4.1 $1 / $4.
    [InlineData("openai", "gpt-4.1-2025-04-14", "2026-11-23", 1_000_000, 0, 0, 0, 100_000, 0, "batch", null, "openai/gpt-4.1", "1.40")]
    // Flex: o3 $1 / $4 (genai-prices' documented example: 1M in + 1M out = $5).
    [InlineData("openai", "o3-2025-04-16", "2026-11-23", 1_000_000, 0, 0, 0, 1_000_000, 0, "flex", null, "openai/o3", "5")]
    // Flex: o4-mini $0.55 / $0.1375 cached / $2.20.
    [InlineData("openai", "o4-mini-2025-04-16", "2026-11-23", 100_000, 40_000, 0, 0, 10_000, 0, "flex", null, "openai/o4-mini", "0.0605")]
    // Priority processing (openai.com/api-priority-processing): gpt-5 $2.50 / $20; "fast" is its name since 2026-07-30.
    [InlineData("openai", "gpt-5-2025-08-07", "2026-11-23", 1_000_000, 0, 0, 0, 100_000, 0, "priority", null, "openai/gpt-5", "4.50")]
    [InlineData("openai", "gpt-5-2025-08-07", "2026-11-23", 1_000_000, 0, 0, 0, 100_000, 0, "fast", null, "openai/gpt-5", "4.50")]
    // Priority: gpt-5-mini $0.45 / $0.045 cached / $3.60.
    [InlineData("openai", "gpt-5-mini", "2026-11-23", 200_000, 50_000, 0, 0, 20_000, 0, "priority", null, "openai/gpt-5-mini", "0.14175")]
    // A codex variant billed like its base model.
    [InlineData("openai", "gpt-5.1-codex", "2026-11-23", 1_000_000, 0, 0, 0, 100_000, 0, null, null, "openai/gpt-5.1", "2.25")]
    // Historic periods: o3 $10 / $40 before the 2025-06-10 cut, $2 / $8 from it; o1-mini $3 before 2025-01-31, $1.10 from it.
    [InlineData("openai", "o3-2025-04-16", "2025-05-01", 1_000_000, 0, 0, 0, 100_000, 0, null, null, "openai/o3", "14")]
    [InlineData("openai", "o3", "2025-06-10", 1_000_000, 0, 0, 0, 100_000, 0, null, null, "openai/o3", "2.8")]
    [InlineData("openai", "o1-mini", "2024-12-01", 1_000_000, 0, 0, 0, 0, 0, null, null, "openai/o1-mini", "3")]
    [InlineData("openai", "o1-mini", "2025-02-01", 1_000_000, 0, 0, 0, 0, 0, null, null, "openai/o1-mini", "1.1")]
    // Anthropic 1-hour cache writes: Opus 4.5, 5,000 input x $5 + 5,000 5m writes x $6.25 + 10,000 1h writes x $10 + 500 out x $25.
    [InlineData("anthropic", "claude-opus-4-5-20251101", "2026-11-23", 20_000, 0, 15_000, 10_000, 500, 0, null, null, "anthropic/claude-opus-4-5", "0.16875")]
    // Message Batches, 50%: Haiku 4.5 $0.50 / $2.50.
    [InlineData("anthropic", "claude-haiku-4-5-20251001", "2026-11-23", 1_000_000, 0, 0, 0, 1_000_000, 0, "batch", null, "anthropic/claude-haiku-4-5", "3.0")]
    // Web search: $10 per 1,000 searches.
    [InlineData("anthropic", "claude-sonnet-4-5", "2026-11-23", 100, 0, 0, 0, 10, 3, null, null, "anthropic/claude-sonnet-4-5", "0.03045")]
    // Sonnet 4.5 above 200K input: the whole call at $6 / $22.50; at 200K exactly, $3 / $15.
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "2026-11-23", 250_000, 0, 0, 0, 2_000, 0, null, null, "anthropic/claude-sonnet-4-5", "1.545")]
    [InlineData("anthropic", "claude-sonnet-4-5-20250929", "2026-11-23", 200_000, 0, 0, 0, 2_000, 0, null, null, "anthropic/claude-sonnet-4-5", "0.63")]
    // Long context and batch stack: Sonnet 4 above 200K in a batch, $3 / $11.25.
    [InlineData("anthropic", "claude-sonnet-4-20250514", "2026-11-23", 250_000, 0, 0, 0, 2_000, 0, "batch", null, "anthropic/claude-sonnet-4", "0.7725")]
    // Sonnet 4.6: long-context premium during the 1M beta, standard rates across 1M from GA on 2026-03-13.
    [InlineData("anthropic", "claude-sonnet-4-6", "2026-03-01", 250_000, 0, 0, 0, 2_000, 0, null, null, "anthropic/claude-sonnet-4-6", "1.545")]
    [InlineData("anthropic", "claude-sonnet-4-6", "2026-03-13", 250_000, 0, 0, 0, 2_000, 0, null, null, "anthropic/claude-sonnet-4-6", "0.78")]
    // Claude on Bedrock: Anthropic's entry; a regional (us.) profile costs 10% more than a global one for Sonnet 4.5.
    [InlineData("aws.bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "2026-11-23", 1_000, 0, 0, 0, 1_000, 0, null, "us-east-1", "anthropic/claude-sonnet-4-5", "0.0198")]
    [InlineData("aws.bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "2026-11-23", 1_000, 0, 0, 0, 1_000, 0, null, "global", "anthropic/claude-sonnet-4-5", "0.018")]
    // Gemini 2.5 Pro: 200,001 input tokens re-price the whole call at $2.50 / $15; 200,000 stay at $1.25 / $10.
    [InlineData("gcp.gemini", "gemini-2.5-pro", "2026-11-23", 200_001, 0, 0, 0, 1_000, 0, null, null, "gcp.gemini/gemini-2.5-pro", "0.5150025")]
    [InlineData("gcp.gemini", "gemini-2.5-pro", "2026-11-23", 200_000, 0, 0, 0, 1_000, 0, null, null, "gcp.gemini/gemini-2.5-pro", "0.26")]
    // Gemini on Vertex AI falls back to the Gemini API's entry: 2.5 Flash $0.30 / $0.03 cached / $2.50.
    [InlineData("gcp.vertex_ai", "gemini-2.5-flash", "2026-11-23", 1_000_000, 500_000, 0, 0, 100_000, 0, null, null, "gcp.gemini/gemini-2.5-flash", "0.415")]
    // Gemini batch, 50%: 2.0 Flash $0.05 / $0.20, named with the API's "models/" prefix and "-001" version.
    [InlineData("gcp.gemini", "models/gemini-2.0-flash-001", "2026-11-23", 1_000_000, 0, 0, 0, 1_000_000, 0, "batch", null, "gcp.gemini/gemini-2.0-flash", "0.25")]
    // Models Bedrock serves itself, us-east-1 on demand, ids normalized (region prefix, ":0", "-v1"/"-v2"/"-v3").
    [InlineData("aws.bedrock", "amazon.nova-pro-v1:0", "2026-11-23", 1_000_000, 0, 0, 0, 100_000, 0, null, "us-east-1", "aws.bedrock/amazon.nova-pro", "1.12")]
    [InlineData("aws.bedrock", "us.amazon.nova-lite-v1:0", "2026-11-23", 1_000_000, 0, 0, 0, 1_000_000, 0, "batch", "us-east-1", "aws.bedrock/amazon.nova-lite", "0.15")]
    [InlineData("aws.bedrock", "us.meta.llama4-maverick-17b-instruct-v1:0", "2026-11-23", 1_000_000, 0, 0, 0, 1_000_000, 0, null, "us-east-1", "aws.bedrock/meta.llama4-maverick-17b-instruct", "1.21")]
    [InlineData("aws.bedrock", "amazon.titan-embed-text-v2:0", "2026-11-23", 1_000_000, 0, 0, 0, 0, 0, null, "us-east-1", "aws.bedrock/amazon.titan-embed-text", "0.02")]
    [InlineData("aws.bedrock", "cohere.embed-english-v3", "2026-11-23", 1_000_000, 0, 0, 0, 0, 0, null, "us-east-1", "aws.bedrock/cohere.embed-english", "0.1")]
    // Mistral Large: $2 / $6 until Mistral Large 3 became mistral-large-latest at $0.50 / $1.50.
    [InlineData("mistral_ai", "mistral-large-latest", "2026-11-23", 1_000_000, 0, 0, 0, 1_000_000, 0, null, null, "mistral_ai/mistral-large-latest", "2.0")]
    [InlineData("mistral_ai", "mistral-large-latest", "2025-06-01", 1_000_000, 0, 0, 0, 1_000_000, 0, null, null, "mistral_ai/mistral-large-latest", "8")]
    [InlineData("mistral_ai", "mistral-small-2506", "2026-11-23", 1_000_000, 0, 0, 0, 1_000_000, 0, "batch", null, "mistral_ai/mistral-small-latest", "0.2")]
    // DeepSeek: cache miss at input, cache hit at cachedInput; V3 $0.27 / $0.07 / $1.10, V3.1 $0.56 / $0.07 / $1.68, V3.2 $0.28 / $0.028 / $0.42.
    [InlineData("deepseek", "deepseek-chat", "2025-03-01", 1_000_000, 600_000, 0, 0, 100_000, 0, null, null, "deepseek/deepseek-chat", "0.26")]
    [InlineData("deepseek", "deepseek-chat", "2025-09-10", 1_000_000, 600_000, 0, 0, 100_000, 0, null, null, "deepseek/deepseek-chat", "0.434")]
    [InlineData("deepseek", "deepseek-chat", "2025-10-01", 1_000_000, 600_000, 0, 0, 100_000, 0, null, null, "deepseek/deepseek-chat", "0.1708")]
    [InlineData("deepseek", "deepseek-reasoner", "2025-03-01", 1_000_000, 0, 0, 0, 1_000_000, 0, null, null, "deepseek/deepseek-reasoner", "2.74")]
    // Groq: gpt-oss-120b $0.15 / $0.075 cached / $0.60; Llama 3.3 70B $0.59 / $0.79, batch half.
    [InlineData("groq", "openai/gpt-oss-120b", "2026-11-23", 1_000_000, 500_000, 0, 0, 1_000_000, 0, null, null, "groq/openai/gpt-oss-120b", "0.7125")]
    [InlineData("groq", "llama-3.3-70b-versatile", "2026-11-23", 1_000_000, 0, 0, 0, 1_000_000, 0, "batch", null, "groq/llama-3.3-70b-versatile", "0.69")]
    // xAI: grok-4 $3 / $15 up to 128K input, the whole call at $6 / $30 above.
    [InlineData("x_ai", "grok-4-0709", "2026-11-23", 128_000, 0, 0, 0, 1_000, 0, null, null, "x_ai/grok-4-0709", "0.399")]
    [InlineData("x_ai", "grok-4-0709", "2026-11-23", 128_001, 0, 0, 0, 1_000, 0, null, null, "x_ai/grok-4-0709", "0.798006")]
    [InlineData("x_ai", "grok-code-fast-1", "2026-11-23", 1_000_000, 800_000, 0, 0, 100_000, 0, null, null, "x_ai/grok-code-fast-1", "0.206")]
    // 2026.11.4. GPT-5.4 (developers.openai.com/api/docs/models/gpt-5.4): $2.50 / $0.25 / $15; above 272K input the whole
    // call at 2x input and 1.5x output ($5 / $0.50 / $22.50), for standard, batch and flex; at 272K exactly, standard.
    [InlineData("openai", "gpt-5.4", "2026-11-23", 100_000, 40_000, 0, 0, 10_000, 0, null, null, "openai/gpt-5.4", "0.31")]
    [InlineData("openai", "gpt-5.4", "2026-11-23", 272_000, 0, 0, 0, 1_000, 0, null, null, "openai/gpt-5.4", "0.695")]
    [InlineData("openai", "gpt-5.4", "2026-11-23", 272_001, 0, 0, 0, 1_000, 0, null, null, "openai/gpt-5.4", "1.382505")]
    [InlineData("openai", "gpt-5.4", "2026-11-23", 300_000, 0, 0, 0, 10_000, 0, "batch", null, "openai/gpt-5.4", "0.8625")]
    // GPT-5.5: $5 / $0.50 / $30, long context $10 / $1 / $45; batch and flex $2.50 / $15.
    [InlineData("openai", "gpt-5.5", "2026-11-23", 200_000, 0, 0, 0, 20_000, 0, "flex", null, "openai/gpt-5.5", "0.8")]
    [InlineData("openai", "gpt-5.5", "2026-11-23", 400_000, 100_000, 0, 0, 10_000, 0, null, null, "openai/gpt-5.5", "3.55")]
    // GPT-5.6 Sol: list $5 / $0.50 / $30 from GA (2026-07-09); reduced to $4 / $0.40 / $20 from 2026-08-21, permanently
    // (OpenAI's changelog; 2026.11.3 assumed the reduction ended on 2026-11-22, which no source says). Long context: $8 / $30.
    [InlineData("openai", "gpt-5.6-sol", "2026-08-01", 200_000, 40_000, 0, 0, 20_000, 0, null, null, "openai/gpt-5.6-sol", "1.42")]
    [InlineData("openai", "gpt-5.6-sol", "2026-11-21", 200_000, 40_000, 0, 0, 20_000, 0, null, null, "openai/gpt-5.6-sol", "1.056")]
    [InlineData("openai", "gpt-5.6-sol", "2026-11-22", 200_000, 40_000, 0, 0, 20_000, 0, null, null, "openai/gpt-5.6-sol", "1.056")]
    [InlineData("openai", "gpt-5.6", "2026-09-01", 300_000, 0, 0, 0, 10_000, 0, null, null, "openai/gpt-5.6-sol", "2.7")]
    [InlineData("openai", "gpt-5.6-sol", "2026-09-01", 200_000, 0, 0, 0, 200_000, 0, "batch", null, "openai/gpt-5.6-sol", "2.4")]
    // GPT-5.6 cache writes at 1.25x input: Sol during the promotion, 100,000 writes x $5.
    [InlineData("openai", "gpt-5.6-sol", "2026-09-01", 100_000, 0, 100_000, 0, 0, 0, null, null, "openai/gpt-5.6-sol", "0.5")]
    // GPT-5.6 Terra $2.50 / $0.25 / $15 and Luna $1 / $0.10 / $6 at GA; permanent cuts on 2026-07-30 to $2 / $0.20 / $12 and $0.20 / $0.02 / $1.20.
    [InlineData("openai", "gpt-5.6-terra", "2026-07-10", 200_000, 0, 0, 0, 20_000, 0, null, null, "openai/gpt-5.6-terra", "0.8")]
    [InlineData("openai", "gpt-5.6-terra", "2026-11-23", 200_000, 0, 0, 0, 20_000, 0, null, null, "openai/gpt-5.6-terra", "0.64")]
    [InlineData("openai", "gpt-5.6-luna", "2026-07-10", 200_000, 100_000, 0, 0, 20_000, 0, null, null, "openai/gpt-5.6-luna", "0.23")]
    [InlineData("openai", "gpt-5.6-luna", "2026-11-23", 200_000, 100_000, 0, 0, 20_000, 0, null, null, "openai/gpt-5.6-luna", "0.046")]
    // GPT-6 Astra: $10 / $1 / $50.
    [InlineData("openai", "gpt-6-astra", "2026-11-23", 100_000, 50_000, 0, 0, 10_000, 0, null, null, "openai/gpt-6-astra", "1.05")]
    // Claude Opus 4.8 (released 2026-05-28): $5 / $6.25 5m / $10 1h / $0.50 hits / $25; batch half; regional +10%.
    [InlineData("anthropic", "claude-opus-4-8", "2026-11-23", 20_000, 0, 15_000, 10_000, 500, 0, null, null, "anthropic/claude-opus-4-8", "0.16875")]
    [InlineData("anthropic", "claude-opus-4-8", "2026-11-23", 1_000_000, 0, 0, 0, 100_000, 0, "batch", null, "anthropic/claude-opus-4-8", "3.75")]
    [InlineData("aws.bedrock", "us.anthropic.claude-opus-4-8-v1:0", "2026-11-23", 1_000, 0, 0, 0, 1_000, 0, null, "us-east-1", "anthropic/claude-opus-4-8", "0.033")]
    // Mistral Medium 3.5 (2026-04-29), now mistral-medium-latest: $1.50 / $7.50; batch half.
    [InlineData("mistral_ai", "mistral-medium-latest", "2026-11-23", 1_000_000, 0, 0, 0, 100_000, 0, null, null, "mistral_ai/mistral-medium-latest", "2.25")]
    [InlineData("mistral_ai", "mistral-medium-3.5", "2026-11-23", 1_000_000, 0, 0, 0, 1_000_000, 0, "batch", null, "mistral_ai/mistral-medium-3-5", "4.5")]
    // DeepSeek V4-Flash preview from 2026-04-24, also behind deepseek-chat / deepseek-reasoner: $0.14 miss / $0.0028 hit
    // (0.02 CNY; 2026.11.3 had $0.028, 10x too high) / $0.28. Since 2026-09-10 the name is billed as V4.1-Flash, off-peak
    // (12:00 UTC on a Monday) $0.15 / $0.003 / $0.60.
    [InlineData("deepseek", "deepseek-v4-flash", "2026-11-23", 1_000_000, 600_000, 0, 0, 100_000, 0, null, null, "deepseek/deepseek-v4-flash", "0.1218")]
    [InlineData("deepseek", "deepseek-chat", "2026-05-01", 1_000_000, 600_000, 0, 0, 100_000, 0, null, null, "deepseek/deepseek-chat", "0.08568")]
    [InlineData("deepseek", "deepseek-reasoner", "2026-05-01", 1_000_000, 0, 0, 0, 1_000_000, 0, null, null, "deepseek/deepseek-reasoner", "0.42")]
    public void Calculate_DefaultTable_PricesACallAtThePublishedRates(
        string provider, string model, string day, long input, long cached, long cacheWrite, long cacheWrite1h, long output, long webSearches,
        string? serviceTier, string? region, string expectedEntry, string expectedTotal)
    {
        Assert.True(PriceTable.Default.TryGetEntry(provider, model, out var entry), $"{provider}/{model}");
        Assert.Equal(expectedEntry, entry.Id);
        var usage = UsageParsing.Usage(input, cached, cacheWrite, output, 0) with { CacheWrite1hInputTokens = cacheWrite1h, WebSearchRequests = webSearches };

        // At 12:00 UTC: outside DeepSeek's peak windows and its 2025 off-peak window, so the day's standard rates.
        var date = DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var at = new DateTimeOffset(date.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var cost = CostCalculator.Calculate(usage, entry.PeriodAt(date), PriceTable.Default.Currency, serviceTier, region, at);

        Assert.Equal(decimal.Parse(expectedTotal, CultureInfo.InvariantCulture), cost.Total);
        Assert.Equal(cost.Input + cost.CachedInput + cost.CacheWrite + cost.Output + cost.Requests, cost.Total);
    }
}
