using System.Text;

namespace LlmCost.Sdk;

/// <summary>
/// What one call's response has reported so far. Later values replace earlier ones, which is right for every
/// provider we read: streamed usage is cumulative (Anthropic's <c>message_delta</c>) or reported once.
/// </summary>
/// <remarks>Not thread-safe: one call's bytes are read by one reader at a time.</remarks>
internal sealed class UsageAccumulator
{
    // Every count is optional (absent ≠ 0); they are kept as plain longs plus one bit each, not as long?s, which would
    // take twice the bytes: this object is allocated per tracked call. The counts few responses carry (Gemini's
    // image/video/cached-modality details, a provider-reported cost) live in an object allocated only when one arrives.
    private Counts _counts;
    private int _present;
    private Rare? _rare;
    private UsageField _pendingList;      // the Gemini *TokensDetails array whose element is being read
    private Modality _pendingModality;
    private PriceTable? _knownModels;
    private bool _unreliable;
    private bool _finalPending;           // the document being read carries the final report; committed when it ends

    /// <summary>Initializes a new instance of the <see cref="UsageAccumulator"/> class.</summary>
    /// <param name="knownModels">A table whose model-id strings are reused for the ids it knows.</param>
    public UsageAccumulator(PriceTable? knownModels = null) => _knownModels = knownModels;

    /// <summary>
    /// Forgets everything, to read another call as a new instance would (the tracker reuses one per pump: see
    /// <see cref="HttpCallTracker.RentUsage"/>).
    /// </summary>
    /// <param name="knownModels">A table whose model-id strings are reused for the ids it knows.</param>
    public void Reset(PriceTable? knownModels)
    {
        _counts = default;
        _present = 0;
        _rare = null;
        _pendingList = default;
        _pendingModality = default;
        _knownModels = knownModels;
        _unreliable = false;
        _finalPending = false;
        Model = null;
        ServiceTier = null;
        RequestModel = null;
        HasUsage = false;
        Final = false;
        RequiresFinalMarker = false;
        Sets = 0;
    }

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
        || (TotalInputCount is { } total && (CacheReadCount ?? 0) + (CacheWriteCount ?? 0) > total)
        || (OutputCount is { } output && ReasoningCount > output);

    /// <summary>Marks the usage as not completely read (see <see cref="Unreliable"/>).</summary>
    public void MarkUnreliable() => _unreliable = true;

    /// <summary>
    /// Gets a value indicating whether the provider's final usage report has been read whole: for a stream, a document
    /// the mapping says carries the final counts (<see cref="UsageMapping.IsFinal"/>, or an end marker such as Gemini's
    /// <c>finishReason</c>) ended; for one JSON document, the document that carried usage ended; or the counts came from
    /// response headers. Usage read before it (Anthropic's <c>message_start</c>, Gemini's running counts) is partial: a
    /// response that stops there is not priced as if it were complete.
    /// </summary>
    public bool Final { get; private set; }

    /// <summary>
    /// Gets or sets a value indicating whether only a final report makes the usage final (a stream), rather than the end of
    /// any document that carried usage (one JSON document).
    /// </summary>
    public bool RequiresFinalMarker { get; set; }

    /// <summary>Forgets what the request body's document said about finality: the response starts now.</summary>
    public void BeginResponse()
    {
        Final = false;
        _finalPending = false;
        RequiresFinalMarker = false;
    }

    /// <summary>The document being read carries the final report; it counts once the document ends whole.</summary>
    public void MarkFinalPending() => _finalPending = true;

    /// <summary>The usage is final now (counts from response headers, which are whole when they arrive).</summary>
    public void MarkFinal() => Final = true;

    /// <summary>A document (an SSE event's data, an event-stream payload, a JSON array element) ended whole.</summary>
    public void EndDocument()
    {
        if (_finalPending || (!RequiresFinalMarker && HasUsage))
        {
            Final = true;
        }

        _finalPending = false;
    }

    /// <summary>A new document starts; a final report pending in one that did not end whole does not count.</summary>
    public void ClearPendingFinal() => _finalPending = false;

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
        PendingElementCount = count;
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
            var count = PendingElementCount ?? 0;
            if (_pendingModality != Modality.Other)
            {
                Sets++;
            }

            switch (_pendingList, _pendingModality)
            {
                case (UsageField.PromptModalityTokens, Modality.Audio): AudioInputCount = count; break;
                case (UsageField.PromptModalityTokens, Modality.Image): ImageInputCount = count; break;
                case (UsageField.PromptModalityTokens, Modality.Video): VideoInputCount = count; break;
                case (UsageField.CandidatesModalityTokens, Modality.Audio): AudioOutputCount = count; break;
                case (UsageField.CandidatesModalityTokens, Modality.Image): ImageOutputCount = count; break;
                case (UsageField.CandidatesModalityTokens, Modality.Video): VideoOutputCount = count; break;
                case (UsageField.CacheModalityTokens, Modality.Video): CachedVideoCount = count; break;
                case (UsageField.CacheModalityTokens, Modality.Audio): CachedAudioCount = count; break;
                case (UsageField.CacheModalityTokens, Modality.Image): CachedImageCount = count; break;
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
        PendingElementCount = null;
    }

    /// <summary>Gets the cost the provider reported for the call, or <see langword="null"/>.</summary>
    public decimal? ReportedCost => _rare?.ReportedCost;

    public void SetReportedCost(decimal cost) => (_rare ??= new Rare()).ReportedCost = cost;

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
            case UsageField.TotalInput: TotalInputCount = value; break;
            case UsageField.UncachedInput: UncachedInputCount = value; break;
            case UsageField.CacheRead: CacheReadCount = value; break;
            case UsageField.CacheWrite: CacheWriteCount = value; break;
            case UsageField.CacheWrite1h: CacheWrite1hCount = value; break;
            case UsageField.Output: OutputCount = value; break;
            case UsageField.Reasoning: ReasoningCount = value; break;
            case UsageField.ExtraInput: ExtraInputCount = value; break;
            case UsageField.ExtraReasoningOutput: ExtraReasoningOutputCount = value; break;
            case UsageField.WebSearchRequests: WebSearchRequestsCount = value; break;
            case UsageField.AudioInput: AudioInputCount = value; break;
            case UsageField.AudioOutput: AudioOutputCount = value; break;
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

        var model = _knownModels?.KnownModelId(utf8) ?? ModelIdCache.Get(utf8);
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

        var cacheRead = CacheReadCount ?? 0;
        var cacheWrite = CacheWriteCount ?? 0;
        var extraReasoning = ExtraReasoningOutputCount ?? 0;
        var input = (TotalInputCount ?? ((UncachedInputCount ?? 0) + cacheRead + cacheWrite)) + (ExtraInputCount ?? 0);
        var output = (OutputCount ?? 0) + extraReasoning;
        // Gemini's per-modality prompt counts include the cached part (cacheTokensDetails): the cached audio and image
        // tokens are priced once, at the cache rate, so only the uncached ones take the modality's rate.
        var audioIn = Math.Max(0, (AudioInputCount ?? 0) - (CachedAudioCount ?? 0));
        var imageIn = Math.Max(0, (ImageInputCount ?? 0) - (CachedImageCount ?? 0));
        var videoIn = Math.Max(0, (VideoInputCount ?? 0) - (CachedVideoCount ?? 0));
        return new TokenUsage
        {
            InputTokens = input,
            AudioInputTokens = Math.Clamp(audioIn, 0, Math.Max(0, input)),
            AudioOutputTokens = Math.Clamp(AudioOutputCount ?? 0, 0, Math.Max(0, output)),
            ImageInputTokens = Math.Clamp(imageIn, 0, Math.Max(0, input - audioIn)),
            ImageOutputTokens = Math.Clamp(ImageOutputCount ?? 0, 0, Math.Max(0, output - (AudioOutputCount ?? 0))),
            VideoInputTokens = Math.Clamp(videoIn, 0, Math.Max(0, input - audioIn)),
            VideoOutputTokens = Math.Clamp(VideoOutputCount ?? 0, 0, Math.Max(0, output)),
            CachedInputTokens = cacheRead,
            CacheWriteInputTokens = cacheWrite,
            CacheWrite1hInputTokens = Math.Min(CacheWrite1hCount ?? 0, cacheWrite),
            OutputTokens = output,
            ReasoningTokens = (ReasoningCount ?? 0) + extraReasoning,
            WebSearchRequests = WebSearchRequestsCount ?? 0,
            Source = UsageSource.Provider,
        };
    }

    private long? Get(Slot slot) => (_present & (1 << (int)slot)) == 0 ? null
        : slot < Slot.FirstRare ? _counts[(int)slot]
        : _rare!.Counts[slot - Slot.FirstRare];

    private void Put(Slot slot, long? value)
    {
        if (value is not { } count)
        {
            _present &= ~(1 << (int)slot);
            return;
        }

        if (slot < Slot.FirstRare)
        {
            _counts[(int)slot] = count;
        }
        else
        {
            (_rare ??= new Rare()).Counts[slot - Slot.FirstRare] = count;
        }

        _present |= 1 << (int)slot;
    }

    private long? TotalInputCount
    {
        get => Get(Slot.TotalInput);
        set => Put(Slot.TotalInput, value);
    }

    private long? UncachedInputCount
    {
        get => Get(Slot.UncachedInput);
        set => Put(Slot.UncachedInput, value);
    }

    private long? CacheReadCount
    {
        get => Get(Slot.CacheRead);
        set => Put(Slot.CacheRead, value);
    }

    private long? CacheWriteCount
    {
        get => Get(Slot.CacheWrite);
        set => Put(Slot.CacheWrite, value);
    }

    private long? CacheWrite1hCount
    {
        get => Get(Slot.CacheWrite1h);
        set => Put(Slot.CacheWrite1h, value);
    }

    private long? OutputCount
    {
        get => Get(Slot.Output);
        set => Put(Slot.Output, value);
    }

    private long? ReasoningCount
    {
        get => Get(Slot.Reasoning);
        set => Put(Slot.Reasoning, value);
    }

    private long? ExtraInputCount
    {
        get => Get(Slot.ExtraInput);
        set => Put(Slot.ExtraInput, value);
    }

    private long? ExtraReasoningOutputCount
    {
        get => Get(Slot.ExtraReasoningOutput);
        set => Put(Slot.ExtraReasoningOutput, value);
    }

    private long? WebSearchRequestsCount
    {
        get => Get(Slot.WebSearchRequests);
        set => Put(Slot.WebSearchRequests, value);
    }

    private long? AudioInputCount
    {
        get => Get(Slot.AudioInput);
        set => Put(Slot.AudioInput, value);
    }

    private long? AudioOutputCount
    {
        get => Get(Slot.AudioOutput);
        set => Put(Slot.AudioOutput, value);
    }

    private long? ImageInputCount
    {
        get => Get(Slot.ImageInput);
        set => Put(Slot.ImageInput, value);
    }

    private long? ImageOutputCount
    {
        get => Get(Slot.ImageOutput);
        set => Put(Slot.ImageOutput, value);
    }

    private long? CachedAudioCount
    {
        get => Get(Slot.CachedAudio);
        set => Put(Slot.CachedAudio, value);
    }

    private long? CachedImageCount
    {
        get => Get(Slot.CachedImage);
        set => Put(Slot.CachedImage, value);
    }

    private long? VideoInputCount
    {
        get => Get(Slot.VideoInput);
        set => Put(Slot.VideoInput, value);
    }

    private long? VideoOutputCount
    {
        get => Get(Slot.VideoOutput);
        set => Put(Slot.VideoOutput, value);
    }

    private long? CachedVideoCount
    {
        get => Get(Slot.CachedVideo);
        set => Put(Slot.CachedVideo, value);
    }

    private long? PendingElementCount
    {
        get => Get(Slot.PendingElement);
        set => Put(Slot.PendingElement, value);
    }

    private enum Slot
    {
        TotalInput,
        UncachedInput,
        CacheRead,
        CacheWrite,
        CacheWrite1h,
        Output,
        Reasoning,
        ExtraInput,
        ExtraReasoningOutput,
        WebSearchRequests,
        AudioInput,  // OpenAI writes audio_tokens: 0 in every response: not rare
        AudioOutput,
        ImageInput,
        FirstRare = ImageInput,
        ImageOutput,
        CachedAudio,
        CachedImage,
        VideoInput,
        VideoOutput,
        CachedVideo,
        PendingElement,
        Length,
    }

    [System.Runtime.CompilerServices.InlineArray((int)Slot.FirstRare)]
    private struct Counts
    {
        private long _first;
    }

    [System.Runtime.CompilerServices.InlineArray((int)Slot.Length - (int)Slot.FirstRare)]
    private struct RareCounts
    {
        private long _first;
    }

    /// <summary>What few calls report, allocated on the first such value.</summary>
    private sealed class Rare
    {
        public RareCounts Counts;

        public decimal? ReportedCost;
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
