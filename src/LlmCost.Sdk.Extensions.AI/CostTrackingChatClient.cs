using System.Runtime.CompilerServices;
using LlmCost.Sdk.Extensions.AI;
using Microsoft.Extensions.AI;

namespace LlmCost.Sdk;

/// <summary>
/// A delegating chat client that records what every call cost: provider, models, attribution and normalized token usage,
/// priced from the same price table and written to the same sinks as the HTTP handler.
/// </summary>
/// <remarks>
/// <para>
/// Add it with <see cref="LlmCostChatClientBuilderExtensions.UseLlmCostTracking(ChatClientBuilder, LlmCostTags?)"/>.
/// Usage comes from <see cref="ChatResponse.Usage"/> and, for streaming, from the <see cref="UsageContent"/> items of the
/// updates (summed); what it lacks (cache writes; cached and reasoning counts of older adapters) is recovered from
/// <see cref="UsageDetails.AdditionalCounts"/>. The provider comes from the inner client's <see cref="ChatClientMetadata"/>, the
/// served model from the response and the requested model from <see cref="ChatOptions.ModelId"/> (or the metadata's
/// default). Per-call tags are read from <see cref="ChatOptions.AdditionalProperties"/> (see <see cref="LlmCostChatOptionsKeys"/>),
/// over the ambient <see cref="LlmCostScope"/>, over the decorator's default tags, over <see cref="LlmCostOptions.DefaultTags"/>.
/// </para>
/// <para>
/// No double counting: when the inner client sends its request through an <see cref="HttpClient"/> that has the cost
/// handler, the handler records the call from the provider's bytes and this decorator records nothing for it; the
/// decorator's per-call and default tags still apply to that record. Calls that
/// reach no tracked HttpClient are recorded here, once per call; a stream is recorded once when it ends, fails or is
/// disposed early. Records made here have no status code.
/// </para>
/// <para>
/// It never throws into the call: responses and updates reach the caller unchanged and as soon as the inner client
/// produces them, exceptions of the inner client reach the caller unchanged, and a failure of the tracking itself is
/// logged and counted, never thrown. This type is thread-safe.
/// </para>
/// </remarks>
public sealed class CostTrackingChatClient : DelegatingChatClient
{
    private readonly LlmCostRecorder _recorder;
    private readonly CostTags _defaultTags;
    private readonly string _provider;
    private readonly string? _defaultModel;

    internal CostTrackingChatClient(IChatClient innerClient, LlmCostRecorder recorder, LlmCostTags? defaultTags)
        : base(innerClient)
    {
        _recorder = recorder;
        _defaultTags = TagMerger.Freeze(defaultTags);

        ChatClientMetadata? metadata = null;
        try
        {
            metadata = innerClient.GetService<ChatClientMetadata>();
        }
        catch (Exception ex)
        {
            recorder.OnInternalError(ex);
        }

        _provider = AiProviderNames.Normalize(metadata?.ProviderName);
        _defaultModel = metadata?.DefaultModelId;
    }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _recorder.Enabled
            ? GetTrackedResponseAsync(messages, options, cancellationToken)
            : base.GetResponseAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _recorder.Enabled
            ? GetTrackedStreamingResponseAsync(messages, options, cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    private async Task<ChatResponse> GetTrackedResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var call = Start(options);
        ChatResponse response;
        try
        {
            using (call.Context.Enter())
            {
                response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            var none = default(AiUsageTotals);
            call.Finish(_provider, LlmOperations.Chat, null, RequestModel(options), streaming: false, ex.GetType().FullName, in none);
            throw;
        }

        var usage = default(AiUsageTotals);
        string? model = null;
        try
        {
            usage.Add(response.Usage);
            model = response.ModelId;
            if (!call.Context.TrackedByHttp)
            {
                usage.ServiceTier = RawServiceTier.Read(response.RawRepresentation, _recorder.Prices);
            }
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
        }

        call.Finish(_provider, LlmOperations.Chat, model, RequestModel(options), streaming: false, errorType: null, in usage);
        return response;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> GetTrackedStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var call = Start(options);
        var usage = default(AiUsageTotals);
        string? model = null;
        string? errorType = null;
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            try
            {
                using (call.Context.Enter())
                {
                    updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                }
            }
            catch (Exception ex)
            {
                errorType = ex.GetType().FullName;
                throw;
            }

            while (true)
            {
                bool more;
                try
                {
                    using (call.Context.EnterUntilTracked())
                    {
                        more = await updates.MoveNextAsync().ConfigureAwait(false);
                    }
                }
                catch (Exception ex)
                {
                    errorType = ex.GetType().FullName;
                    throw;
                }

                if (!more)
                {
                    break;
                }

                var update = updates.Current;
                if (!call.Context.TrackedByHttp)
                {
                    Observe(update, ref usage, ref model);
                }

                yield return update;
            }
        }
        finally
        {
            try
            {
                if (updates is not null)
                {
                    using (call.Context.Enter())
                    {
                        await updates.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                call.Finish(_provider, LlmOperations.Chat, model, RequestModel(options), streaming: true, errorType, in usage);
            }
        }
    }

    private AiCall Start(ChatOptions? options)
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

        return AiCall.Start(_recorder, _defaultTags, callTags);
    }

    private string? RequestModel(ChatOptions? options) => options?.ModelId ?? _defaultModel;

    /// <summary>Reads usage and model from one update without changing it. Never throws.</summary>
    private void Observe(ChatResponseUpdate update, ref AiUsageTotals usage, ref string? model)
    {
        try
        {
            if (update.ModelId is { } updateModel)
            {
                model = updateModel;
            }

            if (!usage.ServiceTierSought && update.RawRepresentation is not null)
            {
                // Providers repeat the tier in every chunk: the first update is read, once, so a stream does not
                // allocate per update.
                usage.ServiceTierSought = true;
                usage.ServiceTier = RawServiceTier.Read(update.RawRepresentation, _recorder.Prices);
            }

            var contents = update.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is UsageContent usageContent)
                {
                    usage.Add(usageContent.Details);
                }
            }
        }
        catch (Exception ex)
        {
            _recorder.OnInternalError(ex);
        }
    }
}
