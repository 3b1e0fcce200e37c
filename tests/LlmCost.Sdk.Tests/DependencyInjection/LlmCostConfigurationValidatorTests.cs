using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk.Tests.DependencyInjection;

/// <summary>Configuration that would bind nothing, or only part of what it says, fails start-up naming the key.</summary>
public class LlmCostConfigurationValidatorTests
{
    private static IConfigurationRoot Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static async Task<OptionsValidationException> StartFailsAsync(IConfiguration configuration)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLlmCostTracking(configuration).AddInMemorySink();
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }

    [Theory]
    [InlineData("LlmCost:QeueCapacity", "Configuration key 'LlmCost:QeueCapacity' is not an option of LlmCostOptions")]
    [InlineData("LlmCost:Pipeline:QeueCapacity", "Configuration key 'LlmCost:Pipeline:QeueCapacity' is not an option of LlmCostPipelineOptions")]
    [InlineData("LlmCost:DefaultTags:Teem", "Configuration key 'LlmCost:DefaultTags:Teem' is not an option of LlmCostTags")]
    [InlineData("LlmCost:Endpoints:0:Url", "Configuration key 'LlmCost:Endpoints:0:Url' is not an option of LlmCostEndpoint")]
    [InlineData("LlmCost:Prices:0:InputPrice", "Configuration key 'LlmCost:Prices:0:InputPrice' is not an option of ModelPrice")]
    [InlineData("LlmCost:Telemetry:IncludeCustomer", "Configuration key 'LlmCost:Telemetry:IncludeCustomer' is not an option of LlmCostTelemetryOptions")]
    public async Task HostStart_MisspelledKey_FailsNamingTheKey(string key, string expected)
    {
        var ex = await StartFailsAsync(Configuration((key, "1")).GetSection("LlmCost"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_MisspelledBudgetKey_FailsNamingTheKey()
    {
        var ex = await StartFailsAsync(Configuration(("LlmCost:Budgets:daily:Limit", "5"), ("LlmCost:Budgets:daily:Enforcment", "Refuse")).GetSection("LlmCost"));

        Assert.Contains("Configuration key 'LlmCost:Budgets:daily:Enforcment' is not an option of LlmBudgetOptions", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("QueueCapacity", "Pipeline:QueueCapacity")]
    [InlineData("MaxBatchSize", "Pipeline:MaxBatchSize")]
    [InlineData("BatchDelay", "Pipeline:BatchDelay")]
    [InlineData("SinkMaxRetries", "Sinks:MaxRetries")]
    [InlineData("SinkRetryDelay", "Sinks:RetryDelay")]
    [InlineData("SinkQueueCapacity", "Sinks:QueueCapacity")]
    public async Task HostStart_KeyThatMovedToAGroup_FailsNamingTheNewKey(string oldKey, string newKey)
    {
        var ex = await StartFailsAsync(Configuration(("LlmCost:" + oldKey, "1")).GetSection("LlmCost"));

        Assert.Contains($"Configuration key 'LlmCost:{oldKey}' is not an option any more: it moved to 'LlmCost:{newKey}'.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_RootConfigurationInsteadOfTheSection_FailsNamingTheFix()
    {
        var root = Configuration(("LlmCost:DefaultTags:Team", "search"), ("Logging:LogLevel:Default", "Information"));

        var ex = await StartFailsAsync(root);

        Assert.Contains("was given the whole configuration, not its \"LlmCost\" section", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AddLlmCostTracking(builder.Configuration.GetSection(\"LlmCost\"))", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_RootConfigurationOfAnApp_FailsNamingSomeOfItsKeysAndTheSection()
    {
        var root = Configuration(("AllowedHosts", "*"), ("PATH", "/bin"), ("HOME", "/root"), ("Logging:LogLevel:Default", "Information"), ("A", "1"), ("B", "2"), ("C", "3"));

        var ex = await StartFailsAsync(root);

        var failure = Assert.Single(ex.Failures);
        Assert.Contains("was given a configuration root whose keys are not LlmCost options ('A', 'AllowedHosts', 'B', 'C', 'HOME' and 2 more)", failure, StringComparison.Ordinal);
        Assert.Contains("AddLlmCostTracking(builder.Configuration.GetSection(\"LlmCost\"))", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_RootBuiltForTheSdkAlone_Binds()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLlmCostTracking(Configuration(("Pipeline:QueueCapacity", "77"), ("DefaultTags:Team", "search"))).AddInMemorySink();
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(77, host.Services.GetRequiredService<IOptions<LlmCostOptions>>().Value.Pipeline.QueueCapacity);
    }

    [Fact]
    public async Task HostStart_RootBuiltForTheSdkAloneWithATypo_FailsNamingTheKey()
    {
        var ex = await StartFailsAsync(Configuration(("Pipeline:QeueCapacity", "77")));

        Assert.Contains("Configuration key 'Pipeline:QeueCapacity' is not an option of LlmCostPipelineOptions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_EveryKnownKindOfKey_Starts()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCost:Environment"] = "staging",
            ["LlmCost:enabled"] = "true", // keys ignore case, as the binder does
            ["LlmCost:DefaultTags:Custom:any-tag-name"] = "x",
            ["LlmCost:ModelAliases:my-deployment"] = "gpt-4o",
            ["LlmCost:Endpoints:0:BaseAddress"] = "https://gateway.internal/openai",
            ["LlmCost:Endpoints:0:Provider"] = "openai",
            ["LlmCost:Prices:0:Provider"] = "openai",
            ["LlmCost:Prices:0:Model"] = "in-house",
            ["LlmCost:Prices:0:Aliases:0"] = "in-house-v2",
            ["LlmCost:Prices:0:Input"] = "1",
            ["LlmCost:Prices:0:Output"] = "2",
            ["LlmCost:Pipeline:BatchDelay"] = "00:00:02",
            ["LlmCost:Sinks:RetryDelay"] = "00:00:01",
            ["LlmCost:Telemetry:CustomTagsInMetrics:0"] = "region",
            ["LlmCost:ShutdownTimeout"] = "00:00:05",
        });
        builder.Services.AddLlmCostTracking(builder.Configuration.GetSection("LlmCost")).AddInMemorySink();
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();

        var options = host.Services.GetRequiredService<IOptions<LlmCostOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(2), options.Pipeline.BatchDelay);
        Assert.Equal("region", Assert.Single(options.Telemetry.CustomTagsInMetrics));
    }

    [Fact]
    public async Task Resolve_MissingSection_LogsAWarningNamingIt()
    {
        var services = new ServiceCollection();
        var logs = new FakeLogCollector();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)));
        services.AddLlmCostTracking(Configuration(("LlmCost:Environment", "x")).GetSection("LlmCosts")).AddInMemorySink();
        await using var sp = services.BuildServiceProvider();

        sp.GetRequiredService<ILlmCostTracker>();

        var log = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == 151);
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Contains("'LlmCosts'", log.Message, StringComparison.Ordinal);
    }
}
