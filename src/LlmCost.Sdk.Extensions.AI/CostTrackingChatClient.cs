using System.Runtime.CompilerServices;
using LlmCost.Sdk.Extensions.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

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
/// It is built only on the core's public recording API (<see cref="ILlmCostTracker.BeginCall"/> and <see cref="LlmCall"/>):
/// the same decorator can be written for any other client stack. It never throws into the call: responses and updates reach the caller unchanged and as soon as the inner client
/// produces them, exceptions of the inner client reach the caller unchanged, and a failure of the tracking itself is
/// logged and counted, never thrown. This type is thread-safe.
/// </para>
/// </remarks>
public sealed class CostTrackingChatClient : DelegatingChatClient
{
    private readonly ILlmCostTracker _tracker;
    private readonly LlmCostTags _defaultTags;
    private readonly ILogger? _logger;
    private readonly string _provider;
    private readonly string? _defaultModel;

    /// <summary>Initializes a new instance of the <see cref="CostTrackingChatClient"/> class.</summary>
    /// <param name="innerClient">The client calls are delegated to.</param>
    /// <param name="tracker">The SDK's tracker, from the service provider (<c>services.AddLlmCostTracking()</c>).</param>
    /// <param name="defaultTags">
    /// Tags for every call through this client, below per-call tags (<see cref="LlmCostChatOptionsKeys"/>) and the ambient
    /// <see cref="LlmCostScope"/>, above <see cref="LlmCostOptions.DefaultTags"/>. Copied now unless they are read-only.
    /// </param>
    /// <param name="logger">Where failures of the tracking itself are logged; <see langword="null"/> logs nowhere.</param>
    public CostTrackingChatClient(IChatClient innerClient, ILlmCostTracker tracker, LlmCostTags? defaultTags = null, ILogger? logger = null)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        _tracker = tracker;
        _defaultTags = defaultTags is null ? LlmCostTags.Empty : defaultTags.IsReadOnly ? defaultTags : new LlmCostTags(defaultTags).MakeReadOnly();
        _logger = logger;

        ChatClientMetadata? metadata = null;
        try
        {
            metadata = innerClient.GetService<ChatClientMetadata>();
        }
        catch (Exception ex)
        {
            OnReadFailed(ex);
        }

        _provider = AiProviderNames.Normalize(metadata?.ProviderName);
        _defaultModel = metadata?.DefaultModelId;
    }

    /// <inheritdoc />
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _tracker.IsEnabled
            ? GetTrackedResponseAsync(messages, options, cancellationToken)
            : base.GetResponseAsync(messages, options, cancellationToken);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _tracker.IsEnabled
            ? GetTrackedStreamingResponseAsync(messages, options, cancellationToken)
            : base.GetStreamingResponseAsync(messages, options, cancellationToken);
    }

    private async Task<ChatResponse> GetTrackedResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        using var call = Begin(options);
        ChatResponse response;
        try
        {
            using (call.Enter())
            {
                response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
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
                usage.Add(response.Usage);
                usage.AddRaw(response.RawRepresentation);
                call.Usage = usage.ToUsage();
                call.ResponseModel = response.ModelId;
                call.ServiceTier = usage.ServiceTier;
            }
            catch (Exception ex)
            {
                OnReadFailed(ex);
            }
        }

        return response;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> GetTrackedStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var call = Begin(options);
        call.Streaming = true;
        var usage = default(AiUsageTotals);
        string? model = null;
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            try
            {
                using (call.Enter())
                {
                    updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
                }
            }
            catch (Exception ex)
            {
                call.Fail(ex);
                throw;
            }

            while (true)
            {
                bool more;
                try
                {
                    using (call.Enter())
                    {
                        more = await updates.MoveNextAsync().ConfigureAwait(false);
                    }
                }
                catch (Exception ex)
                {
                    call.Fail(ex);
                    throw;
                }

                if (!more)
                {
                    break;
                }

                var update = updates.Current;
                if (!call.IsTrackedByHttp)
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
                    using (call.Enter())
                    {
                        await updates.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                call.Usage = usage.ToUsage();
                call.ResponseModel = model;
                call.ServiceTier = usage.ServiceTier;
                call.Complete();
            }
        }
    }

    private LlmCall Begin(ChatOptions? options)
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

        return _tracker.BeginCall(_provider, LlmOperations.Chat, options?.ModelId ?? _defaultModel, callTags, _defaultTags);
    }

    /// <summary>Reads usage and model from one update without changing it. Never throws.</summary>
    private void Observe(ChatResponseUpdate update, ref AiUsageTotals usage, ref string? model)
    {
        try
        {
            if (update.ModelId is { } updateModel)
            {
                model = updateModel;
            }

            var contents = update.Contents;
            for (var i = 0; i < contents.Count; i++)
            {
                if (contents[i] is UsageContent usageContent)
                {
                    usage.Add(usageContent.Details);
                }
            }

            usage.AddRaw(update.RawRepresentation);
        }
        catch (Exception ex)
        {
            OnReadFailed(ex);
        }
    }

    private void OnReadFailed(Exception exception)
    {
        if (_logger is not null)
        {
            Log.ReadFailed(_logger, exception);
        }
    }
}
