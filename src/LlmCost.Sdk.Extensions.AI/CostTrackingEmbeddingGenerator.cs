using LlmCost.Sdk.Extensions.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>
/// A delegating embedding generator that records what every call cost: provider, models, attribution and input tokens,
/// priced from the same price table and written to the same sinks as the HTTP handler.
/// </summary>
/// <typeparam name="TInput">The type of the values embedded.</typeparam>
/// <typeparam name="TEmbedding">The type of the embeddings generated.</typeparam>
/// <remarks>
/// <para>
/// Add it with <see cref="LlmCostEmbeddingGeneratorBuilderExtensions.UseLlmCostTracking{TInput, TEmbedding}(EmbeddingGeneratorBuilder{TInput, TEmbedding}, LlmCostTags?)"/>.
/// Usage comes from <see cref="GeneratedEmbeddings{TEmbedding}.Usage"/>, the provider from the inner generator's
/// <see cref="EmbeddingGeneratorMetadata"/>, the served model from the embeddings and the requested model from
/// <see cref="EmbeddingGenerationOptions.ModelId"/> (or the metadata's default). Per-call tags are read from
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> (see <see cref="LlmCostChatOptionsKeys"/>).
/// </para>
/// <para>
/// No double counting: a call that reaches an <see cref="HttpClient"/> with the cost handler is recorded by the handler
/// only. It never throws into the call: results and exceptions of the inner generator reach the caller unchanged, and a
/// failure of the tracking itself is logged and counted, never thrown. This type is thread-safe.
/// </para>
/// </remarks>
public sealed class CostTrackingEmbeddingGenerator<TInput, TEmbedding> : DelegatingEmbeddingGenerator<TInput, TEmbedding>
    where TEmbedding : Embedding
{
    private readonly ILlmCostTracker _tracker;
    private readonly LlmCostTags _defaultTags;
    private readonly ILogger? _logger;
    private readonly string _provider;
    private readonly string? _defaultModel;

    /// <summary>Initializes a new instance of the <see cref="CostTrackingEmbeddingGenerator{TInput, TEmbedding}"/> class.</summary>
    /// <param name="innerGenerator">The generator calls are delegated to.</param>
    /// <param name="tracker">The SDK's tracker, from the service provider (<c>services.AddLlmCostTracking()</c>).</param>
    /// <param name="defaultTags">
    /// Tags for every call through this generator, below per-call tags (<see cref="LlmCostChatOptionsKeys"/>) and the ambient
    /// <see cref="LlmCostScope"/>, above <see cref="LlmCostOptions.DefaultTags"/>. Copied now unless they are read-only.
    /// </param>
    /// <param name="logger">Where failures of the tracking itself are logged; <see langword="null"/> logs nowhere.</param>
    public CostTrackingEmbeddingGenerator(
        IEmbeddingGenerator<TInput, TEmbedding> innerGenerator, ILlmCostTracker tracker, LlmCostTags? defaultTags = null, ILogger? logger = null)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        _tracker = tracker;
        _defaultTags = defaultTags is null ? LlmCostTags.Empty : defaultTags.IsReadOnly ? defaultTags : new LlmCostTags(defaultTags).MakeReadOnly();
        _logger = logger;

        EmbeddingGeneratorMetadata? metadata = null;
        try
        {
            metadata = innerGenerator.GetService<EmbeddingGeneratorMetadata>();
        }
        catch (Exception ex)
        {
            OnReadFailed(ex);
        }

        _provider = AiProviderNames.Normalize(metadata?.ProviderName);
        _defaultModel = metadata?.DefaultModelId;
    }

    /// <inheritdoc />
    public override Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(
        IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        return _tracker.IsEnabled
            ? GenerateTrackedAsync(values, options, cancellationToken)
            : base.GenerateAsync(values, options, cancellationToken);
    }

    private async Task<GeneratedEmbeddings<TEmbedding>> GenerateTrackedAsync(
        IEnumerable<TInput> values, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var callTags = LlmCostTags.Empty;
        try
        {
            callTags = AiCallTags.Read(options?.AdditionalProperties);
        }
        catch (Exception ex)
        {
            OnReadFailed(ex);
        }

        using var call = _tracker.BeginCall(_provider, LlmOperations.Embeddings, options?.ModelId ?? _defaultModel, callTags, _defaultTags);
        GeneratedEmbeddings<TEmbedding> embeddings;
        try
        {
            using (call.Enter())
            {
                embeddings = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            call.Fail(ex);
            throw;
        }

        if (!call.IsTrackedByHttp)
        {
            try
            {
                var usage = default(AiUsageTotals);
                usage.Add(embeddings.Usage);
                call.Usage = usage.ToUsage();
                call.ResponseModel = embeddings.Count > 0 ? embeddings[0].ModelId : null;
            }
            catch (Exception ex)
            {
                OnReadFailed(ex);
            }
        }

        return embeddings;
    }

    private void OnReadFailed(Exception exception)
    {
        if (_logger is not null)
        {
            Log.ReadFailed(_logger, exception);
        }
    }
}
