using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LlmCost.Sdk;

/// <summary>
/// Starts the pipeline with the host (so bad options or price data fail at start-up) and flushes it when the host stops.
/// Disposing the service provider drains whatever is queued after that.
/// </summary>
/// <remarks>
/// Nothing is resolved in the constructor: the host builds every hosted service before it validates options, and a
/// constructor that threw there would leave the host unable to stop (its <c>StopAsync</c> then throws an
/// <see cref="ArgumentNullException"/> that hides the configuration error). <see cref="StartAsync"/> builds the
/// pipeline and the recorder instead, after the host's <c>ValidateOnStart</c> check has reported a bad configuration
/// with its own <c>OptionsValidationException</c>; a stop without a successful start does nothing.
/// </remarks>
internal sealed class LlmCostHostedService(IServiceProvider services) : IHostedService
{
    private LlmCostPipeline? _pipeline;
    private PriceTableUpdater? _updater;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Taking the recorder builds the price table now: invalid price data stops the host from starting.
        _ = services.GetRequiredService<HttpCallTracker>();
        _pipeline = services.GetRequiredService<LlmCostPipeline>();
        _updater = services.GetRequiredService<PriceTableUpdater>();
        _updater.Start(); // LlmCostOptions.PriceTableUpdate: polls only when a source is configured
        return Task.CompletedTask;
    }

    /// <summary>Flushes, bounded by <see cref="LlmCostOptions.ShutdownTimeout"/> and the host's token; disposal drains what comes after.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _updater?.Stop();
        return _pipeline?.StopAsync(cancellationToken) ?? Task.CompletedTask;
    }
}
