using Microsoft.Extensions.Hosting;

namespace LlmCost.Sdk;

/// <summary>
/// Starts the pipeline with the host (so bad price data fails at start-up) and flushes it when the host stops.
/// Disposing the service provider drains whatever is queued after that.
/// </summary>
internal sealed class LlmCostHostedService : IHostedService
{
    private readonly LlmCostPipeline _pipeline;

    public LlmCostHostedService(LlmCostPipeline pipeline, LlmCostRecorder recorder)
    {
        // Taking the recorder builds the price table now: invalid price data stops the host from starting.
        _ = recorder;
        _pipeline = pipeline;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Flushes, bounded by <see cref="LlmCostOptions.ShutdownTimeout"/> and the host's token; disposal drains what comes after.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _pipeline.StopAsync(cancellationToken);
}
