using System.Text;

namespace LlmCost.Sdk;

/// <summary>
/// What one call's response has reported so far. Later values replace earlier ones, which is right for every
/// provider we read: streamed usage is cumulative (Anthropic's <c>message_delta</c>) or reported once.
/// </summary>
/// <remarks>Not thread-safe: one call's bytes are read by one reader at a time.</remarks>
internal sealed class UsageAccumulator
{
    private long? _totalInput;
    private long? _uncachedInput;
    private long? _cacheRead;
    private long? _cacheWrite;
    private long? _cacheWrite1h;
    private long? _output;
    private long? _reasoning;
    private long? _extraInput;
    private long? _extraReasoningOutput;
    private long? _webSearchRequests;
    private long? _audioInput;
    private long? _audioOutput;
    private long? _imageInput;
    private long? _imageOutput;
    private long? _cachedAudio;
    private long? _cachedImage;
    private long? _videoInput;
    private long? _videoOutput;
    private long? _cachedVideo;
    private UsageField _pendingList;      // the Gemini *TokensDetails array whose element is being read
    private Modality _pendingModality;
    private long? _pendingCount;
    private readonly PriceTable? _knownModels;
    private bool _unreliable;

    /// <summary>Initializes a new instance of the <see cref="UsageAccumulator"/> class.</summary>
    /// <param name="knownModels">A table whose model-id strings are reused for the ids it knows.</param>
    public UsageAccumulator(PriceTable? knownModels = null) => _knownModels = knownModels;

    /// <summary>Gets the model the response named, or <see langword="null"/>.</summary>
    public string? Model { get; private set; }

    /// <summary>Gets the service tier the response named, or <see langword="null"/>.</summary>
    public string? ServiceTier { get; private set; }

    /// <summary>Gets the model the request named, or <see langword="null"/>.</summary>
    public string? RequestModel { get; private set; }

    /// <summary>Gets a value indicating whether the response carried any token count.</summary>
    public bool HasUsage { get; private set; }

    /// <summary>
    /// Gets a value indicating whether the usage could not be read completely: a count that is not a non-negative integer
    /// (<c>1.5</c>, <c>"12"</c>, <c>-5</c>, <c>1e308</c>, a main count that is <c>null</c>), or a body that ended inside the
    /// document that carried usage. Such usage is never priced as if the provider had reported it:
    /// <see cref="ToUsage"/> then says <see cref="UsageSource.None"/>, and the reader reports the response as malformed.
    /// </summary>
    /// <remarks>
    /// Counts that contradict each other make it unreliable too: a part larger than its whole (cached input over all
    /// input, reasoning over all output) cannot all be the provider's.
    /// </remarks>
    public bool Unreliable => _unreliable
        || (_totalInput is { } total && (_cacheRead ?? 0) + (_cacheWrite ?? 0) > total)
        || (_output is { } output && _reasoning > output);

    /// <summary>Marks the usage as not completely read (see <see cref="Unreliable"/>).</summary>
    public void MarkUnreliable() => _unreliable = true;

    /// <summary>Keeps the <c>modality</c> of the element being read (Gemini's <c>*TokensDetails</c>) until it ends.</summary>
    public void SetPendingModality(UsageField list, ReadOnlySpan<byte> modality)
    {
        _pendingList = list switch
        {
            UsageField.PromptModality => UsageField.PromptModalityTokens,
            UsageField.CandidatesModality => UsageField.CandidatesModalityTokens,
            UsageField.CacheModality => UsageField.CacheModalityTokens,
            _ => list,
        };
        _pendingModality = modality.SequenceEqual("AUDIO"u8) ? Modality.Audio
            : modality.SequenceEqual("IMAGE"u8) ? Modality.Image
            : modality.SequenceEqual("VIDEO"u8) ? Modality.Video
            : Modality.Other; // TEXT, DOCUMENT (billed as text), MODALITY_UNSPECIFIED
    }

    /// <summary>Keeps the <c>tokenCount</c> of the element being read until it ends.</summary>
    public void SetPendingModalityCount(UsageField list, long count)
    {
        _pendingList = list;
        _pendingCount = count;
    }

    /// <summary>
    /// Ends a <c>{"modality":..,"tokenCount":..}</c> element: its count goes to its modality (a missing count is 0, as
    /// proto3 JSON leaves zeros out). Constant memory: one pending element at a time.
    /// </summary>
    public void EndModalityElement()
    {
        if (_pendingList != UsageField.None && _pendingModality != Modality.None)
        {
            // Not HasUsage: the details only split the main counts, and without those there is no usage to price.
            var count = _pendingCount ?? 0;
            if (_pendingModality != Modality.Other)
            {
                Sets++;
            }

            switch (_pendingList, _pendingModality)
            {
                case (UsageField.PromptModalityTokens, Modality.Audio): _audioInput = count; break;
                case (UsageField.PromptModalityTokens, Modality.Image): _imageInput = count; break;
                case (UsageField.PromptModalityTokens, Modality.Video): _videoInput = count; break;
                case (UsageField.CandidatesModalityTokens, Modality.Audio): _audioOutput = count; break;
                case (UsageField.CandidatesModalityTokens, Modality.Image): _imageOutput = count; break;
                case (UsageField.CandidatesModalityTokens, Modality.Video): _videoOutput = count; break;
                case (UsageField.CacheModalityTokens, Modality.Video): _cachedVideo = count; break;
                case (UsageField.CacheModalityTokens, Modality.Audio): _cachedAudio = count; break;
                case (UsageField.CacheModalityTokens, Modality.Image): _cachedImage = count; break;
                default: break;
            }
        }

        ClearPendingModality();
    }

    /// <summary>Forgets a half-read element (a new document starts).</summary>
    public void ClearPendingModality()
    {
        _pendingList = UsageField.None;
        _pendingModality = Modality.None;
        _pendingCount = null;
    }

    /// <summary>Gets the cost the provider reported for the call, or <see langword="null"/>.</summary>
    public decimal? ReportedCost { get; private set; }

    public void SetReportedCost(decimal cost) => ReportedCost = cost;

    /// <summary>Sets the requested model from the URL (a Bedrock model id, a Gemini model, an Azure deployment); the request body's <c>model</c> replaces it.</summary>
    public void SetRequestModel(string model) => RequestModel = _knownModels?.KnownModelId(model) ?? model;

    /// <summary>Gets how many counts were set so far: a reader compares it to tell whether a document it could not finish carried usage.</summary>
    public int Sets { get; private set; }

    public void Set(UsageField field, long value)
    {
        HasUsage = true;
        Sets++;
        switch (field)
        {
            case UsageField.TotalInput: _totalInput = value; break;
            case UsageField.UncachedInput: _uncachedInput = value; break;
            case UsageField.CacheRead: _cacheRead = value; break;
            case UsageField.CacheWrite: _cacheWrite = value; break;
            case UsageField.CacheWrite1h: _cacheWrite1h = value; break;
            case UsageField.Output: _output = value; break;
            case UsageField.Reasoning: _reasoning = value; break;
            case UsageField.ExtraInput: _extraInput = value; break;
            case UsageField.ExtraReasoningOutput: _extraReasoningOutput = value; break;
            case UsageField.WebSearchRequests: _webSearchRequests = value; break;
            case UsageField.AudioInput: _audioInput = value; break;
            case UsageField.AudioOutput: _audioOutput = value; break;
            default: break;
        }
    }

    /// <summary>Keeps a model id or tier name; allocates only when it differs from the one already kept (streams repeat it in every chunk).</summary>
    public void SetModel(UsageField field, ReadOnlySpan<byte> utf8)
    {
        if (field == UsageField.ServiceTier)
        {
            if (!utf8.IsEmpty && (ServiceTier is null || !System.Text.Ascii.Equals(utf8, ServiceTier)))
            {
                ServiceTier = KnownTier(utf8) ?? Encoding.UTF8.GetString(utf8);
            }

            return;
        }

        var current = field == UsageField.RequestModel ? RequestModel : Model;
        if (utf8.IsEmpty || (current is not null && System.Text.Ascii.Equals(utf8, current)))
        {
            return;
        }

        var model = _knownModels?.KnownModelId(utf8) ?? Encoding.UTF8.GetString(utf8);
        if (field == UsageField.RequestModel)
        {
            RequestModel = model;
        }
        else
        {
            Model = model;
        }
    }

    private static string? KnownTier(ReadOnlySpan<byte> utf8) =>
        utf8.SequenceEqual("default"u8) ? "default"
        : utf8.SequenceEqual("standard"u8) ? "standard"
        : utf8.SequenceEqual("priority"u8) ? "priority"
        : utf8.SequenceEqual("flex"u8) ? "flex"
        : utf8.SequenceEqual("batch"u8) ? "batch"
        : utf8.SequenceEqual("scale"u8) ? "scale"
        : null;

    /// <summary>Maps what was reported to the normalized usage of DESIGN.md.</summary>
    public TokenUsage ToUsage()
    {
        if (!HasUsage || Unreliable)
        {
            return TokenUsage.None;
        }

        var cacheRead = _cacheRead ?? 0;
        var cacheWrite = _cacheWrite ?? 0;
        var extraReasoning = _extraReasoningOutput ?? 0;
        var input = (_totalInput ?? ((_uncachedInput ?? 0) + cacheRead + cacheWrite)) + (_extraInput ?? 0);
        var output = (_output ?? 0) + extraReasoning;
        // Gemini's per-modality prompt counts include the cached part (cacheTokensDetails): the cached audio and image
        // tokens are priced once, at the cache rate, so only the uncached ones take the modality's rate.
        var audioIn = Math.Max(0, (_audioInput ?? 0) - (_cachedAudio ?? 0));
        var imageIn = Math.Max(0, (_imageInput ?? 0) - (_cachedImage ?? 0));
        var videoIn = Math.Max(0, (_videoInput ?? 0) - (_cachedVideo ?? 0));
        return new TokenUsage
        {
            InputTokens = input,
            AudioInputTokens = Math.Clamp(audioIn, 0, Math.Max(0, input)),
            AudioOutputTokens = Math.Clamp(_audioOutput ?? 0, 0, Math.Max(0, output)),
            ImageInputTokens = Math.Clamp(imageIn, 0, Math.Max(0, input - audioIn)),
            ImageOutputTokens = Math.Clamp(_imageOutput ?? 0, 0, Math.Max(0, output - (_audioOutput ?? 0))),
            VideoInputTokens = Math.Clamp(videoIn, 0, Math.Max(0, input - audioIn)),
            VideoOutputTokens = Math.Clamp(_videoOutput ?? 0, 0, Math.Max(0, output)),
            CachedInputTokens = cacheRead,
            CacheWriteInputTokens = cacheWrite,
            CacheWrite1hInputTokens = Math.Min(_cacheWrite1h ?? 0, cacheWrite),
            OutputTokens = output,
            ReasoningTokens = (_reasoning ?? 0) + extraReasoning,
            WebSearchRequests = _webSearchRequests ?? 0,
            Source = UsageSource.Provider,
        };
    }

    private enum Modality : byte
    {
        None,
        Other,
        Audio,
        Image,
        Video,
    }
}
