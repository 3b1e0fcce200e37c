using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk.Tests.DependencyInjection;

public class LlmCostServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddLlmCostTracking_CalledTwice_RegistersOnePipelineAndKeepsBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.DefaultTags.Team = "search").AddInMemorySink();
        services.AddLlmCostTracking(o => o.Pipeline.QueueCapacity = 42).AddInMemorySink();

        await using var sp = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(LlmCostPipeline));
        Assert.Single(services, d => d.ServiceType == typeof(InMemoryCostSink));
        Assert.Single(sp.GetServices<IHostedService>().OfType<LlmCostHostedService>());
        var options = sp.GetRequiredService<IOptions<LlmCostOptions>>().Value;
        Assert.Equal("search", options.DefaultTags.Team);
        Assert.Equal(42, options.Pipeline.QueueCapacity);
    }

    [Fact]
    public async Task AddLlmCostTracking_ConfigurationSection_BindsEveryOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCost:Environment"] = "staging",
            ["LlmCost:DefaultTags:Team"] = "search",
            ["LlmCost:DefaultTags:Custom:region"] = "eu",
            ["LlmCost:Pipeline:QueueCapacity"] = "500",
            ["LlmCost:Pipeline:BatchDelay"] = "00:00:02",
            ["LlmCost:Sinks:MaxRetries"] = "5",
            ["LlmCost:Endpoints:0:BaseAddress"] = "https://gateway.internal/openai",
            ["LlmCost:Endpoints:0:Provider"] = "openai",
            ["LlmCost:Prices:0:Provider"] = "openai",
            ["LlmCost:Prices:0:Model"] = "in-house",
            ["LlmCost:Prices:0:Aliases:0"] = "in-house-v2",
            ["LlmCost:Prices:0:EffectiveFrom"] = "2026-01-01",
            ["LlmCost:Prices:0:Input"] = "0.25",
            ["LlmCost:Prices:0:Output"] = "1.25",
        }).Build();
        var services = new ServiceCollection();
        services.AddLlmCostTracking(configuration.GetSection("LlmCost"));

        await using var sp = services.BuildServiceProvider();
        var options = sp.GetRequiredService<IOptions<LlmCostOptions>>().Value;

        Assert.Equal("staging", options.Environment);
        Assert.Equal("search", options.DefaultTags.Team);
        Assert.Equal("eu", options.DefaultTags.Custom["region"]);
        Assert.Equal(500, options.Pipeline.QueueCapacity);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Pipeline.BatchDelay);
        Assert.Equal(5, options.Sinks.MaxRetries);
        Assert.Equal("openai", Assert.Single(options.Endpoints).Provider);
        var price = Assert.Single(options.Prices);
        Assert.Equal(new DateOnly(2026, 1, 1), price.EffectiveFrom);
        Assert.Equal(0.25m, price.Input);
        Assert.True(sp.GetRequiredService<PriceTable>().TryGetEntry("openai", "in-house-v2", out var entry));
        Assert.Equal(1.25m, entry.Periods[0].Rates.Base.Output);
    }

    [Fact]
    public async Task Host_EnvironmentNotSet_DefaultsToTheHostEnvironment()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Staging" });
        builder.Services.AddLlmCostTracking();
        using var host = builder.Build();

        Assert.Equal("Staging", host.Services.GetRequiredService<IOptions<LlmCostOptions>>().Value.Environment);
        await Task.CompletedTask;
    }

    public static TheoryData<Action<LlmCostOptions>, string> InvalidOptions => new()
    {
        { o => o.Pipeline.QueueCapacity = 0, "The field LlmCostOptions.Pipeline.QueueCapacity must be between 1 and" },
        { o => o.Pipeline.MaxBatchSize = 0, "The field LlmCostOptions.Pipeline.MaxBatchSize must be between 1 and" },
        { o => o.Pipeline.BatchDelay = TimeSpan.FromSeconds(-1), "The field LlmCostOptions.Pipeline.BatchDelay must be between" },
        { o => o.Sinks.MaxRetries = -1, "The field LlmCostOptions.Sinks.MaxRetries must be between 0 and 100" },
        { o => o.Sinks.QueueCapacity = 0, "The field LlmCostOptions.Sinks.QueueCapacity must be between 1 and" },
        { o => o.Sinks.RetryDelay = TimeSpan.FromDays(1), "The field LlmCostOptions.Sinks.RetryDelay must be between" },
        { o => o.Telemetry.MaxMetricTagValues = 0, "The field LlmCostOptions.Telemetry.MaxMetricTagValues must be between 1 and 100000" },
        { o => o.ShutdownTimeout = TimeSpan.Zero, "The field LlmCostOptions.ShutdownTimeout must be between" },
        { o => o.Endpoints.Add(new LlmCostEndpoint { BaseAddress = "https://gw.internal", Provider = "foobar" }), "LlmCostOptions.Endpoints[0].Provider (LlmCost:Endpoints:0:Provider) 'foobar' is not a known provider: use one of openai, anthropic, azure.ai.openai" },
        { o => o.Endpoints.Add(new LlmCostEndpoint { BaseAddress = "not a url", Provider = "openai" }), "LlmCostOptions.Endpoints[0].BaseAddress" },
        { o => o.Endpoints.Add(new LlmCostEndpoint { BaseAddress = "https://gw.internal" }), "LlmCostOptions.Endpoints[0] ('https://gw.internal') needs a Provider" },
        { o => o.Prices.Add(new ModelPrice { Provider = "openai", Model = "x", Input = -1m, Output = 1m }), "LlmCostOptions.Prices[0] ('openai/x'): rates must not be negative" },
        { o => o.Prices.Add(new ModelPrice { Model = "x" }), "LlmCostOptions.Prices[0]: Provider and Model are required" },
        { o => o.PriceTablePath = "/nonexistent/prices.json", "LlmCostOptions.PriceTablePath '/nonexistent/prices.json' cannot be read" },
        { o => o.ModelAliases["prod-gpt4o"] = "gpt-4x", "LlmCostOptions.ModelAliases['prod-gpt4o'] = 'gpt-4x': no price-table entry has that model id" },
        { o => o.ModelAliases["prod-gpt4o"] = " ", "LlmCostOptions.ModelAliases['prod-gpt4o'] must map a non-empty name to a non-empty model id" },
    };

    [Fact]
    public async Task HostStart_ModelAliasesFromConfiguration_AreBoundAndValid()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LlmCost:ModelAliases:prod-gpt4o"] = "gpt-4o",
            ["LlmCost:ModelAliases:prod-sonnet"] = "claude-sonnet-4-5",
        });
        builder.Services.AddLlmCostTracking(builder.Configuration.GetSection("LlmCost"));
        using var host = builder.Build();

        await host.StartAsync();
        var aliases = host.Services.GetRequiredService<IOptions<LlmCostOptions>>().Value.ModelAliases;
        await host.StopAsync();

        Assert.Equal("gpt-4o", aliases["PROD-GPT4O"]);
        Assert.Equal(2, aliases.Count);
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task HostStart_InvalidOptions_FailsNamingTheEntry(Action<LlmCostOptions> configure, string expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLlmCostTracking(configure);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_InvalidPriceTableFile_FailsNamingTheEntryAndFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"prices-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """{"schemaVersion":1,"version":"2027.1","entries":[{"provider":"openai","model":"gpt-9","periods":[{"effectiveFrom":"2027-01-01","input":1}]}]}""");
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddLlmCostTracking(o => o.PriceTablePath = path);
            using var host = builder.Build();

            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

            Assert.Contains("'openai/gpt-9', period from 2027-01-01: 'output' is required", ex.Message, StringComparison.Ordinal);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task HostStart_PriceTableFile_ReplacesTheEmbeddedTable()
    {
        var path = Path.Combine(Path.GetTempPath(), $"prices-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """{"schemaVersion":1,"version":"2027.1.0","entries":[{"provider":"openai","model":"gpt-9","periods":[{"effectiveFrom":"2027-01-01","input":1,"output":2}]}]}""");
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddLlmCostTracking(o => o.PriceTablePath = path);
            using var host = builder.Build();
            await host.StartAsync();

            var table = host.Services.GetRequiredService<PriceTable>();
            Assert.Equal("2027.1.0", table.Version);
            Assert.True(table.TryGetEntry("openai", "gpt-9", out _));
            await host.StopAsync();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task HostStop_PendingRecords_AreFlushed()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.FromHours(1)).AddInMemorySink();
        using var host = builder.Build();
        await host.StartAsync();
        host.Services.GetRequiredService<ILlmCostTracker>().Track(TestRecords.Create());

        await host.StopAsync();

        Assert.Single(host.Services.GetRequiredService<InMemoryCostSink>().Records);
    }

    [Fact]
    public async Task DisposeServiceProvider_PendingRecords_AreWrittenToTheJsonLinesFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "llmcost-tests", $"{Guid.NewGuid():N}.jsonl");
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Pipeline.BatchDelay = TimeSpan.FromHours(1)).AddJsonLinesSink(path);
        var sp = services.BuildServiceProvider();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();
        for (var i = 0; i < 3; i++)
        {
            tracker.Track(TestRecords.Create(i));
        }

        await sp.DisposeAsync();

        Assert.Equal(3, File.ReadAllLines(path).Length);
        File.Delete(path);
    }

    [Fact]
    public async Task AddSink_TypeAndInstance_BothReceiveRecords()
    {
        var instance = new CallbackSink();
        var services = new ServiceCollection();
        services.AddSingleton<CountingSinkDependency>();
        services.AddLlmCostTracking().AddSink(instance).AddSink<CountingSink>().AddSink<CountingSink>();
        await using var sp = services.BuildServiceProvider();
        var tracker = sp.GetRequiredService<ILlmCostTracker>();

        tracker.Track(TestRecords.Create());
        await tracker.FlushAsync();

        Assert.Single(instance.Records);
        Assert.Equal(1, sp.GetRequiredService<CountingSinkDependency>().Count);
    }

    internal sealed class CountingSinkDependency
    {
        public int Count;
    }

    internal sealed class CountingSink(CountingSinkDependency dependency) : ICostSink
    {
        public Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref dependency.Count, records.Count);
            return Task.CompletedTask;
        }
    }
}
