using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>Registers LLM cost tracking in an <see cref="IServiceCollection"/>.</summary>
public static class LlmCostServiceCollectionExtensions
{
    /// <summary>
    /// Adds LLM cost tracking: the price table, the record pipeline and its hosted service. Safe to call more than once;
    /// each call can add configuration and sinks.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>A builder to add sinks.</returns>
#pragma warning disable RS0027 // The documented one-line entry point keeps its optional parameter beside the IConfiguration overload.
    public static LlmCostTrackingBuilder AddLlmCostTracking(this IServiceCollection services, Action<LlmCostOptions>? configure = null)
#pragma warning restore RS0027
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCore(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new LlmCostTrackingBuilder(services);
    }

    /// <summary>
    /// Adds LLM cost tracking with options bound from a configuration section:
    /// <c>AddLlmCostTracking(builder.Configuration.GetSection("LlmCost"))</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section, usually <c>"LlmCost"</c>.</param>
    /// <returns>A builder to add sinks.</returns>
    /// <remarks>
    /// The section's keys are checked at start-up: a key that is not an option (a typo, or a key that moved into an options
    /// group) and the whole configuration passed instead of the section fail start-up with a message naming the key, rather
    /// than binding nothing. A section that does not exist is logged as a warning (event id 151).
    /// </remarks>
    public static LlmCostTrackingBuilder AddLlmCostTracking(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services);
        services.AddOptions<LlmCostOptions>().Bind(configuration);
        services.AddSingleton(new LlmCostConfigurationSource(configuration));
        LlmGuardrailRegistration.AddFromConfiguration(services, configuration.GetSection(LlmBudgetTrackingBuilderExtensions.BudgetsSection)); // guardrails: LlmCost:Budgets
        return new LlmCostTrackingBuilder(services);
    }

    private static void AddCore(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(HttpCallTracker)))
        {
            return;
        }

        services.AddOptions<LlmCostOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmCostOptions>, LlmCostOptionsAttributeValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmCostOptions>, LlmCostOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmCostOptions>, LlmCostConfigurationValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LlmCostOptions>, LlmCostOptionsSetup>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LlmCostCounters>();
        services.AddMetrics();
        services.TryAddSingleton(static sp => new LlmCostInstrumentation(
            sp.GetRequiredService<IOptions<LlmCostOptions>>(),
            Logger<LlmCostInstrumentation>(sp),
            sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(static sp => PriceTableFactory.Create(sp.GetRequiredService<IOptions<LlmCostOptions>>().Value));
        services.TryAddSingleton(static sp => new PriceTableSource(sp.GetRequiredService<PriceTable>()));
        services.AddHttpClient(PriceTableUpdater.HttpClientName);
        services.TryAddSingleton(static sp => new PriceTableUpdater(
            sp.GetRequiredService<PriceTableSource>(),
            sp.GetRequiredService<IOptions<LlmCostOptions>>(),
            () => sp.GetRequiredService<IHttpClientFactory>().CreateClient(PriceTableUpdater.HttpClientName),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<PriceTableUpdater>>()));
        services.TryAddSingleton(static sp => new LlmCostPipelineMetrics(sp.GetRequiredService<LlmCostCounters>(), sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(static sp => CreatePipeline(sp));
        services.TryAddSingleton(static sp => new UsageEstimator(
            sp.GetRequiredService<IOptions<LlmCostOptions>>(),
            sp.GetRequiredService<LlmCostCounters>(),
            Logger<UsageEstimator>(sp),
            sp.GetService<ILlmUsageEstimator>()));
        services.TryAddSingleton(static sp => new LlmCostWriter(
            sp.GetRequiredService<LlmCostPipeline>(),
            new CostPricer(sp.GetRequiredService<PriceTableSource>(), sp.GetRequiredService<IOptions<LlmCostOptions>>().Value.ModelAliases.AsReadOnly()),
            sp.GetRequiredService<LlmCostCounters>(),
            sp.GetRequiredService<LlmCostInstrumentation>(),
            Logger<LlmCostWriter>(sp)));
        services.TryAddSingleton(static sp => new HttpCallTracker(
            sp.GetRequiredService<IOptions<LlmCostOptions>>(),
            AttributionResolver.From(sp.GetRequiredService<IOptions<LlmCostOptions>>().Value),
            sp.GetRequiredService<LlmCostWriter>(),
            sp.GetRequiredService<LlmCostCounters>(),
            sp.GetRequiredService<TimeProvider>(),
            Logger<HttpCallTracker>(sp),
            sp.GetRequiredService<UsageEstimator>(),
            sp.GetService<BudgetGuard>())); // after the pipeline: disposed before it, so its last records still reach the sinks
        services.TryAddSingleton<ILlmCostTracker>(static sp => new LlmCostTracker(
            sp.GetRequiredService<LlmCostPipeline>(),
            sp.GetRequiredService<HttpCallTracker>(),
            sp.GetRequiredService<LlmCostCounters>(),
            sp.GetRequiredService<UsageEstimator>(),
            sp.GetRequiredService<IOptions<LlmCostOptions>>(),
            Logger<LlmCostTracker>(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LlmCostHostedService>());
        LlmGuardrailRegistration.AddCore(services); // guardrails: ILlmCostEstimator
    }

    /// <summary>
    /// Creates the pipeline, warning first about what would make tracking silently useless: no sink (records go nowhere)
    /// and a configuration section that does not exist (a misspelled section name binds nothing).
    /// </summary>
    private static LlmCostPipeline CreatePipeline(IServiceProvider sp)
    {
        var sinks = sp.GetServices<ICostSink>().ToList();
        var logger = Logger<LlmCostPipeline>(sp);
        sp.GetRequiredService<LlmCostPipelineMetrics>(); // the llmcost.pipeline.* instruments live as long as the pipeline
        if (sinks.Count == 0)
        {
            Log.NoSinks(logger);
        }

        foreach (var source in sp.GetServices<LlmCostConfigurationSource>())
        {
            if (source.Configuration is IConfigurationSection section && !LlmCostConfigurationValidator.IsRoot(section) && !section.GetChildren().Any())
            {
                Log.ConfigurationSectionEmpty(logger, section.Path);
            }
        }

        return new LlmCostPipeline(
            sinks,
            sp.GetRequiredService<IOptions<LlmCostOptions>>(),
            sp.GetRequiredService<LlmCostCounters>(),
            sp.GetRequiredService<TimeProvider>(),
            logger);
    }

    /// <summary>Logging is optional: without <c>AddLogging</c> the SDK logs nowhere rather than failing.</summary>
    private static ILogger<T> Logger<T>(IServiceProvider services) =>
        services.GetService<ILogger<T>>() ?? NullLogger<T>.Instance;
}
