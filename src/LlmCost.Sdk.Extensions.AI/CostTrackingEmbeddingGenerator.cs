using LlmCost.Sdk.Extensions.AI;
using Microsoft.Extensions.AI;

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
    private readonly LlmCostRecorder _recorder;
    private readonly CostTags _defaultTags;
    private readonly string _provider;
    private readonly string? _defaultModel;

    internal CostTrackingEmbeddingGenerator(IEmbeddingGenerator<TInput, TEmbedding> innerGenerator, LlmCostRecorder recorder, LlmCostTags? defaultTags)
        : base(innerGenerator)
    {
        _recorder = recorder;
        _defaultTags = TagMerger.Freeze(defaultTags);

        EmbeddingGeneratorMetadata? metadata = null;
        try
        {
            metadata = innerGenerator.GetService<EmbeddingGeneratorMetadata>();
        }
        catch (Exception ex)
        {
            recorder.OnInternalError(ex);
        }

        _provider = AiProviderNames.Normalize(metadata?.ProviderName);
        _defaultModel = metadata?.DefaultModelId;
    }

    /// <inheritdoc />
    public override Task<GeneratedEmbeddings<TEmbedding>> GenerateAsync(
        IEnumerable<TInput> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        return _recorder.Enabled
            ? GenerateTrackedAsync(values, options, cancellationToken)
            : base.GenerateAsync(values, options, cancellationToken);
    }

    private async Task<GeneratedEmbeddings<TEmbedding>> GenerateTrackedAsync(
        IEnumerable<TInput> values, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var callTags = CostTags.Empty;
        try
        {
            callTags = AiCallTags.Read(options?.AdditionalProperties);
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
        }

        var call = AiCall.Start(_recorder, _defaultTags, callTags);
        var requestModel = options?.ModelId ?? _defaultModel;
        GeneratedEmbeddings<TEmbedding> embeddings;
        try
        {
            using (call.Context.Enter())
            {
                embeddings = await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            var none = default(AiUsageTotals);
            call.Finish(_provider, LlmOperations.Embeddings, null, requestModel, streaming: false, ex.GetType().FullName, in none);
            throw;
        }

        var usage = default(AiUsageTotals);
        string? model = null;
        if (!call.Context.TrackedByHttp)
        {
            try
            {
                usage.Add(embeddings.Usage);
                model = embeddings.Count > 0 ? embeddings[0].ModelId : null;
            }
            catch (Exception ex)
            {
                _recorder.OnInternalError(ex);
            }
        }

        call.Finish(_provider, LlmOperations.Embeddings, model, requestModel, streaming: false, errorType: null, in usage);
        return embeddings;
    }
}
