using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>Shares budgets across instances through Redis.</summary>
public static class LlmCostRedisTrackingBuilderExtensions
{
    /// <summary>
    /// Keeps budgets in Redis (<see cref="RedisBudgetStore"/>) instead of in memory, so every instance of the application
    /// enforces one cap. Redis being unavailable never fails a call (see <see cref="RedisBudgetStoreOptions.FailClosed"/>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The StackExchange.Redis configuration string (such as <c>redis:6379,password=…</c>).</param>
    /// <param name="configure">Configures the other options.</param>
    /// <returns>The builder.</returns>
    public static LlmCostTrackingBuilder AddRedisBudgetStore(this LlmCostTrackingBuilder builder, string configuration, Action<RedisBudgetStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        var options = new RedisBudgetStoreOptions { Configuration = configuration };
        configure?.Invoke(options);
        if (options.OperationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("RedisBudgetStoreOptions.OperationTimeout must be positive.", nameof(configure));
        }

        return builder.UseBudgetStore(sp => new RedisBudgetStore(
            options,
            sp.GetService<ILogger<RedisBudgetStore>>(),
            sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(),
            sp.GetService<TimeProvider>()));
    }
}
