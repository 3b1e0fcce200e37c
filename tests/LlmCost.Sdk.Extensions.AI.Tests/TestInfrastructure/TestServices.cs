using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Extensions.AI.Tests;

/// <summary>Builds the services of one test and reads what reached the sink.</summary>
internal static class TestServices
{
    public const string Environment = "test";

    /// <summary>Cost tracking with an in-memory sink; options defaults: team "platform", custom "region"="eu".</summary>
    public static ServiceProvider Create(Action<LlmCostOptions>? configure = null, TimeProvider? time = null, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        if (time is not null)
        {
            collection.AddSingleton(time);
        }

        collection.AddLlmCostTracking(o =>
            {
                o.Environment = Environment;
                o.DefaultTags.Team = "platform";
                o.DefaultTags.Custom["region"] = "eu";
                configure?.Invoke(o);
            })
            .AddInMemorySink();
        services?.Invoke(collection);
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Flushes the pipeline and returns every record written so far.</summary>
    public static async Task<IReadOnlyList<CostRecord>> RecordsAsync(this IServiceProvider services)
    {
        await services.GetRequiredService<ILlmCostTracker>().FlushAsync();
        return services.GetRequiredService<InMemoryCostSink>().Records;
    }

    /// <summary>
    /// Flushes, asserts that exactly one record was written and exactly one was ever queued (a call recorded twice, by the
    /// handler and the decorator, would have queued two; a finished call cannot finish again).
    /// </summary>
    public static async Task<CostRecord> SingleRecordAsync(this IServiceProvider services)
    {
        var record = Assert.Single(await services.RecordsAsync());
        Assert.Equal(1, services.GetRequiredService<ILlmCostTracker>().Statistics.Queued);
        Assert.Single(await services.RecordsAsync());
        return record;
    }
}
