using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>Adds LLM cost tracking to an <see cref="HttpClient"/> made by <c>IHttpClientFactory</c>.</summary>
public static class LlmCostHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds the cost-tracking handler to this client. Calls to the providers of <see cref="LlmProviders"/> (and configured
    /// endpoints) are tracked; other calls pass through untouched. Adds the core services when <c>AddLlmCostTracking</c> was not called.
    /// </summary>
    /// <param name="builder">The HTTP client builder.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddLlmCostTracking(this IHttpClientBuilder builder) => AddLlmCostTracking(builder, static _ => { });

    /// <summary>Adds the cost-tracking handler to this client, with client-level default tags.</summary>
    /// <param name="builder">The HTTP client builder.</param>
    /// <param name="defaultTags">Tags for every call of this client, below request tags and the ambient scope.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddLlmCostTracking(this IHttpClientBuilder builder, LlmCostTags defaultTags)
    {
        ArgumentNullException.ThrowIfNull(defaultTags);
        return AddLlmCostTracking(builder, o =>
        {
            o.DefaultTags.Feature = defaultTags.Feature;
            o.DefaultTags.Team = defaultTags.Team;
            o.DefaultTags.Customer = defaultTags.Customer;
            o.DefaultTags.Environment = defaultTags.Environment;
            foreach (var (key, value) in defaultTags.Custom)
            {
                o.DefaultTags.Custom[key] = value;
            }
        });
    }

    /// <summary>Adds the cost-tracking handler to this client, with client-level default tags or a pinned provider.</summary>
    /// <param name="builder">The HTTP client builder.</param>
    /// <param name="configure">Configures the client's options, for example <c>o =&gt; o.DefaultTags.Team = "search"</c>.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder AddLlmCostTracking(this IHttpClientBuilder builder, Action<LlmCostClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddLlmCostTracking();

        var options = new LlmCostClientOptions();
        configure(options);
        var defaults = options.DefaultTags.ToReadOnly();
        var provider = string.IsNullOrWhiteSpace(options.Provider) ? null : KnownProviders.Normalize(options.Provider);
        if (provider is null && !string.IsNullOrWhiteSpace(options.Provider))
        {
            // Not one of LlmProviders: valid only if the price table has it, which is known at start-up (validated there).
            provider = options.Provider.Trim();
            builder.Services.AddSingleton(new PinnedClientProvider(builder.Name, provider));
        }

        // Guardrails: their pre-flight runs before every handler the app added to the client (a retry never sees a refusal).
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, GuardrailHandlerFilter>());
        return builder.AddHttpMessageHandler(sp => CreateHandler(sp, defaults, provider));
    }

    /// <summary>
    /// Creates the handler, or, when the configuration is invalid (the error <c>ValidateOnStart</c> reports at host
    /// start), a handler that passes calls through untracked: <c>IHttpClientFactory.CreateClient</c> is the app's code
    /// path and never gets the SDK's exception. The error is logged (every time a handler is made) and counted.
    /// </summary>
    private static DelegatingHandler CreateHandler(IServiceProvider services, LlmCostTags defaults, string? provider)
    {
        try
        {
            return new CostTrackingHandler(services.GetRequiredService<HttpCallTracker>(), defaults, provider);
        }
        catch (Exception ex) when (ex is OptionsValidationException or PriceTableException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            services.GetService<LlmCostCounters>()?.InternalError();
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(CostTrackingHandler).FullName!);
            if (logger is not null)
            {
                Log.NotConfigured(logger, ex);
            }

            return new PassThroughHandler();
        }
    }

    /// <summary>The handler of a client whose tracking could not be configured: the call goes through untouched.</summary>
    private sealed class PassThroughHandler : DelegatingHandler;
}
