using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>Adds budgets, token ceilings, rate limits, loop detection and their alerts to LLM cost tracking.</summary>
public static class LlmBudgetTrackingBuilderExtensions
{
    /// <summary>The configuration section of budgets, under the <c>LlmCost</c> section: <c>Budgets</c>.</summary>
    public const string BudgetsSection = "Budgets";

    /// <summary>
    /// Adds a budget. It is also bound from the application's configuration under <c>LlmCost:Budgets:{name}</c> when an
    /// <see cref="IConfiguration"/> is registered (configuration values override the ones set here); validated at start-up.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The budget's name (in alerts, exceptions and store keys).</param>
    /// <param name="configure">Configures the budget.</param>
    /// <returns>The builder.</returns>
    public static LlmCostTrackingBuilder AddBudget(this LlmCostTrackingBuilder builder, string name, Action<LlmBudgetOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        var added = AddBudgetCore(builder.Services, name);
        builder.Services.Configure(name, configure);
        if (added)
        {
            builder.Services.AddSingleton<IConfigureOptions<LlmBudgetOptions>>(sp => new ConfigureNamedOptions<LlmBudgetOptions>(name, o =>
            {
                if (sp.GetService<IConfiguration>()?.GetSection("LlmCost:" + BudgetsSection + ":" + name) is { } section && section.Exists())
                {
                    section.Bind(o);
                }
            }));
        }

        return builder;
    }

    /// <summary>Adds every budget of a configuration section (each child is a budget, such as the <c>LlmCost:Budgets</c> section).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="budgets">The section whose children are budgets.</param>
    /// <returns>The builder.</returns>
    public static LlmCostTrackingBuilder AddBudgets(this LlmCostTrackingBuilder builder, IConfiguration budgets)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(budgets);
        LlmGuardrailRegistration.AddFromConfiguration(builder.Services, budgets);
        return builder;
    }

    /// <summary>Configures the options shared by every guardrail.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    public static LlmCostTrackingBuilder ConfigureGuardrails(this LlmCostTrackingBuilder builder, Action<LlmGuardrailOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Adds a handler that receives every budget alert (a singleton; its dependencies are injected).</summary>
    /// <typeparam name="THandler">The handler type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static LlmCostTrackingBuilder AddBudgetAlertHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this LlmCostTrackingBuilder builder)
        where THandler : class, ILlmBudgetAlertHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILlmBudgetAlertHandler, THandler>());
        return builder;
    }

    /// <summary>Adds a handler instance that receives every budget alert.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>The builder.</returns>
    public static LlmCostTrackingBuilder AddBudgetAlertHandler(this LlmCostTrackingBuilder builder, ILlmBudgetAlertHandler handler)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(handler);
        builder.Services.AddSingleton(handler);
        return builder;
    }

    /// <summary>Replaces the budget store (the default is an <see cref="InMemoryBudgetStore"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the store.</param>
    /// <returns>The builder.</returns>
    public static LlmCostTrackingBuilder UseBudgetStore(this LlmCostTrackingBuilder builder, Func<IServiceProvider, IBudgetStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.RemoveAll<IBudgetStore>();
        builder.Services.AddSingleton(factory);
        return builder;
    }

    /// <summary>Registers a budget name and the guardrail services once; returns whether the name is new.</summary>
    internal static bool AddBudgetCore(IServiceCollection services, string name)
    {
        var names = services.FirstOrDefault(d => d.ServiceType == typeof(BudgetNames))?.ImplementationInstance as BudgetNames;
        if (names is null)
        {
            names = new BudgetNames();
            services.AddSingleton(names);
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmBudgetOptions>, LlmBudgetOptionsValidator>());
            services.TryAddSingleton<IBudgetStore, InMemoryBudgetStore>();

            // The pre-flight in front of every handler of a factory client whose cost handler is behind others (also when
            // the app adds ILlmCostTracker.CreateHandler() to a factory client itself).
            services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Http.IHttpMessageHandlerBuilderFilter, GuardrailHandlerFilter>());
            services.TryAddSingleton(static sp => new BudgetGuard(
                sp.GetRequiredService<BudgetNames>(),
                sp.GetRequiredService<IOptionsMonitor<LlmBudgetOptions>>(),
                sp.GetRequiredService<IOptions<LlmGuardrailOptions>>(),
                sp.GetRequiredService<IBudgetStore>(),
                sp.GetRequiredService<LlmCostEstimator>(),
                sp.GetRequiredService<LlmCostWriter>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetServices<ILlmBudgetAlertHandler>(),
                sp.GetService<ILogger<BudgetGuard>>() ?? (ILogger)NullLogger.Instance,
                sp.GetRequiredService<LlmCostInstrumentation>().Meter));
        }

        if (names.Names.Contains(name))
        {
            return false;
        }

        names.Names.Add(name);
        services.AddOptions<LlmBudgetOptions>(name).ValidateOnStart();
        return true;
    }
}
