using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using LlmCost.Sdk.PriceTools;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk.Tests.Pricing;

/// <summary>
/// <see cref="LlmCostOptions.PriceTablePath"/>: a newer table at start-up, in the SDK's format (LiteLLM's converted offline
/// by the price tools), prices the live calls and the records name its version; a bad file stops the host at start-up
/// naming the entry and saying what is wrong.
/// </summary>
public class PriceTableFactoryTests
{
    /// <summary>A newer SDK-format table that corrects gpt-4o (invented rates, so the test shows the file's, not the embedded, prices).</summary>
    private const string NewerSdkTable = """
        {"schemaVersion":2,"version":"2027.1.0","currency":"USD","entries":[
          {"provider":"openai","model":"gpt-4o","aliases":["gpt-4o-2024-08-06"],"source":"test",
           "periods":[{"effectiveFrom":"2024-10-01","input":2.0,"cachedInput":1.0,"output":8.0}]}]}
        """;

    private static async Task<string> TempFileAsync(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"prices-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    /// <summary>Sends the cached gpt-4o chat payload (2006 input, 1920 of them cached, 300 output) through a tracked client.</summary>
    private static async Task<CostRecord> SendCachedGpt4oAsync(string priceTablePath)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat-cached.json"));
        await using var host = TrackedHost.Create(stub, configure: o => o.PriceTablePath = priceTablePath);
        using var client = host.CreateClient();
        using var request = TrackedHost.OpenAIChatRequest("gpt-4o");
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            _ = await response.Content.ReadAsStringAsync();
        }

        return await host.SingleRecordAsync();
    }

    [Fact]
    public async Task Send_NewerSdkTableFile_PricesWithItAndRecordsNameItsVersion()
    {
        var path = await TempFileAsync(NewerSdkTable);
        try
        {
            var record = await SendCachedGpt4oAsync(path);

            Assert.Equal("2027.1.0", record.Price!.TableVersion);
            Assert.Equal("openai/gpt-4o", record.Price.Entry);

            // 86 uncached × $2 + 1,920 cached × $1 + 300 output × $8 per 1M tokens
            Assert.Equal(0.000172m, record.Cost!.Input);
            Assert.Equal(0.00192m, record.Cost.CachedInput);
            Assert.Equal(0.0024m, record.Cost.Output);
            Assert.Equal(0.004492m, record.Cost.Total);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Send_LiteLlmFileConvertedByTheTool_PricesWithItAndRecordsNameItsVersion()
    {
        // LiteLLM's map is converted offline (tools/LlmCost.Sdk.PriceTools import-litellm); the runtime reads only the SDK's format.
        var converted = LiteLlmPriceImporter.ImportFile(Payloads.Path("litellm-model-prices-excerpt.json"));
        var path = await TempFileAsync(PriceTableJson.Write(converted, metadata: null));
        try
        {
            var record = await SendCachedGpt4oAsync(path);

            Assert.Equal(converted.Version, record.Price!.TableVersion);
            Assert.StartsWith("litellm-", record.Price.TableVersion, StringComparison.Ordinal);
            Assert.Equal("openai/gpt-4o", record.Price.Entry);
            Assert.Equal(new DateOnly(1, 1, 1), record.Price.EffectiveFrom);

            // LiteLLM's gpt-4o: 86 uncached × $2.50 + 1,920 cached × $1.25 + 300 output × $10 per 1M tokens
            Assert.Equal(0.000215m, record.Cost!.Input);
            Assert.Equal(0.0024m, record.Cost.CachedInput);
            Assert.Equal(0.003m, record.Cost.Output);
            Assert.Equal(0.005615m, record.Cost.Total);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task HostStart_LiteLlmFileConverted_ReplacesTheEmbeddedTable()
    {
        var converted = LiteLlmPriceImporter.ImportFile(Payloads.Path("litellm-model-prices-excerpt.json"));
        var path = await TempFileAsync(PriceTableJson.Write(converted, metadata: null));
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddLlmCostTracking(o => o.PriceTablePath = path);
            using var host = builder.Build();
            await host.StartAsync();

            var table = host.Services.GetRequiredService<PriceTable>();
            Assert.StartsWith("litellm-", table.Version, StringComparison.Ordinal);
            Assert.Equal(10, table.Entries.Count);
            Assert.True(table.TryGetEntry("groq", "llama-3.3-70b-versatile", out _));
            Assert.False(table.TryGetEntry("openai", "o3", out _)); // the file replaces the embedded table, it does not extend it
            await host.StopAsync();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task HostStart_RawLiteLlmFile_FailsPointingToTheConversionTool()
    {
        var path = await TempFileAsync(Payloads.Text("litellm-model-prices-excerpt.json"));
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddLlmCostTracking(o => o.PriceTablePath = path);
            using var host = builder.Build();

            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

            Assert.Contains("looks like LiteLLM's model_prices_and_context_window.json", ex.Message, StringComparison.Ordinal);
            Assert.Contains("import-litellm", ex.Message, StringComparison.Ordinal);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(
        """{"schemaVersion":3,"version":"x","entries":[{"provider":"openai","model":"m","periods":[{"effectiveFrom":"2025-01-01","input":1e30,"output":2}]}]}""",
        "'openai/m', period from 2025-01-01: 'input' is 1e30, too large to be a price per million tokens")]
    [InlineData(
        """{"schemaVersion":3,"version":"x","entries":[{"provider":"openai","model":"m","periods":[{"effectiveFrom":"2025-01-01","input":2000000,"output":2}]}]}""",
        "'openai/m', period from 2025-01-01: 'input' is 2000000, above the largest rate accepted (1000000")]
    [InlineData(
        """{"version":"2027.1","entries":[]}""",
        "The price table has no 'schemaVersion'")]
    [InlineData(
        """{"dall-e-9":{"litellm_provider":"openai","mode":"image_generation","output_cost_per_image":0.04}}""",
        "looks like LiteLLM's model_prices_and_context_window.json")]
    public async Task HostStart_BadPriceFile_FailsNamingTheEntryAndTheFile(string content, string expected)
    {
        var path = await TempFileAsync(content);
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddLlmCostTracking(o => o.PriceTablePath = path);
            using var host = builder.Build();

            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("79228162514264337593543950335")] // decimal.MaxValue: every call's cost would overflow and its record be lost
    [InlineData("1000000.01")]
    public void Create_OptionPriceOutOfRange_FailsSayingWhatIsWrong(string rate)
    {
        var options = new LlmCostOptions();
        options.Prices.Add(new ModelPrice { Provider = "openai", Model = "x", Input = decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture), Output = 1m });

        var ex = Assert.Throws<PriceTableException>(() => PriceTableFactory.Create(options));

        Assert.Contains("LlmCostOptions.Prices[0] ('openai/x'): 'Input' is", ex.Message, StringComparison.Ordinal);
        Assert.Contains("above the largest rate accepted (1000000 per million tokens", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_SameOptions_ParsesTheTableOnce()
    {
        var options = new LlmCostOptions();
        options.Prices.Add(new ModelPrice { Provider = "openai", Model = "x", Input = 1m, Output = 1m });

        Assert.Same(PriceTableFactory.Create(options), PriceTableFactory.Create(options)); // the validator and the container share it
    }
}
