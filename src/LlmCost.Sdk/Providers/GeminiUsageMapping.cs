namespace LlmCost.Sdk;

/// <summary>
/// Gemini API and Vertex AI <c>generateContent</c> responses: <c>usageMetadata</c> and <c>modelVersion</c> at the top
/// of the response and of every streamed chunk (server-sent events with <c>alt=sse</c>, or the elements of a JSON
/// array without it).
/// </summary>
/// <remarks>
/// <para><c>promptTokenCount</c> is the whole prompt, cached content included (the normalized input);
/// <c>cachedContentTokenCount</c> is the part served from a context cache (implicit or explicit).
/// <c>toolUsePromptTokenCount</c> counts the results of server-side tools (code execution, search, URL context) fed
/// back to the model: billed as input and reported apart from the prompt, so it is added to the input.
/// <c>candidatesTokenCount</c> is the visible output and <c>thoughtsTokenCount</c> the thinking, billed as output but
/// reported apart from the candidates, so it is added to the output and counted as reasoning.
/// <c>totalTokenCount</c> is the sum of the four and is not read. Vertex AI's <c>trafficType</c> is skipped.</para>
/// <para>The per-modality arrays <c>promptTokensDetails</c> and <c>candidatesTokensDetails</c>
/// (<c>[{"modality":"AUDIO","tokenCount":N}, ...]</c>) give the audio and image parts of the prompt and of the visible
/// output, priced at the model's audio and image rates; <c>cacheTokensDetails</c> gives the cached part of each, which
/// stays at the cache rate. Each element's modality is kept until the element ends, so the order of its two fields does
/// not matter and a missing <c>tokenCount</c> (proto3 JSON leaves zeros out) is 0. <c>VIDEO</c> tokens are kept apart
/// (<see cref="TokenUsage.VideoInputTokens"/>, <see cref="TokenUsage.VideoOutputTokens"/>): priced at the model's video
/// rate where the table has one, else the call gets no cost rather than one that prices them as text. <c>TEXT</c> and
/// <c>DOCUMENT</c> tokens are text.</para>
/// <para>Every streamed chunk carries the usage so far (the last chunk the totals), so later values replace earlier
/// ones; a field a chunk leaves out keeps its earlier value.</para>
/// <para>Because every chunk carries counts, none of them is final by itself (<see cref="IsFinal"/>): the stream's usage is
/// final once a chunk with a <c>candidates[].finishReason</c> (the last chunk) or a <c>promptFeedback.blockReason</c> (a
/// refused prompt) ends whole. A stream that stops before it has running totals only, and is not priced as if complete.</para>
/// </remarks>
internal sealed class GeminiUsageMapping : UsageMapping
{
    public static readonly GeminiUsageMapping Instance = new();

    private static readonly ulong ModelVersion = JsonPath.Hash("modelVersion"u8);
    private static readonly ulong UsageMetadata = JsonPath.Hash("usageMetadata"u8);
    private static readonly ulong PromptTokenCount = JsonPath.Hash("promptTokenCount"u8);
    private static readonly ulong CachedContentTokenCount = JsonPath.Hash("cachedContentTokenCount"u8);
    private static readonly ulong CandidatesTokenCount = JsonPath.Hash("candidatesTokenCount"u8);
    private static readonly ulong ThoughtsTokenCount = JsonPath.Hash("thoughtsTokenCount"u8);
    private static readonly ulong ToolUsePromptTokenCount = JsonPath.Hash("toolUsePromptTokenCount"u8);
    private static readonly ulong PromptTokensDetails = JsonPath.Hash("promptTokensDetails"u8);
    private static readonly ulong CandidatesTokensDetails = JsonPath.Hash("candidatesTokensDetails"u8);
    private static readonly ulong CacheTokensDetails = JsonPath.Hash("cacheTokensDetails"u8);
    private static readonly ulong Modality = JsonPath.Hash("modality"u8);
    private static readonly ulong TokenCount = JsonPath.Hash("tokenCount"u8);
    private static readonly ulong Candidates = JsonPath.Hash("candidates"u8);
    private static readonly ulong FinishReason = JsonPath.Hash("finishReason"u8);
    private static readonly ulong PromptFeedback = JsonPath.Hash("promptFeedback"u8);
    private static readonly ulong BlockReason = JsonPath.Hash("blockReason"u8);

    public override int MaxDepth => 4;

    public override bool ReadsArrayElements => true;

    public override void OnElementEnd(UsageAccumulator usage) => usage.EndModalityElement();

    /// <summary>No count is final by itself: every chunk carries the usage so far; the final chunk is marked by <c>finishReason</c>.</summary>
    public override bool IsFinal(in JsonPath path) => false;

    public override ReadOnlySpan<byte> FinalEventBytes => "\"finishReason\""u8;

    public override UsageField Match(in JsonPath path)
    {
        if (path.Unnamed)
        {
            return UsageField.None;
        }

        switch (path.Depth)
        {
            case 1:
                return path[0] == ModelVersion ? UsageField.Model : UsageField.None;
            case 2:
                if (path[0] != UsageMetadata)
                {
                    return path[0] == PromptFeedback && path[1] == BlockReason ? UsageField.FinalMarker : UsageField.None;
                }

                var name = path[1];
                return name == PromptTokenCount ? UsageField.TotalInput
                    : name == CandidatesTokenCount ? UsageField.Output
                    : name == ThoughtsTokenCount ? UsageField.ExtraReasoningOutput
                    : name == CachedContentTokenCount ? UsageField.CacheRead
                    : name == ToolUsePromptTokenCount ? UsageField.ExtraInput
                    : UsageField.None;
            case 3:
                return path[0] == Candidates && path[1] == JsonPath.ArrayElement && path[2] == FinishReason ? UsageField.FinalMarker : UsageField.None;
            case 4:
                if (path[0] != UsageMetadata || path[2] != JsonPath.ArrayElement)
                {
                    return UsageField.None;
                }

                var list = path[1];
                var key = path[3];
                if (key != Modality && key != TokenCount)
                {
                    return UsageField.None;
                }

                var isModality = key == Modality;
                return list == PromptTokensDetails ? (isModality ? UsageField.PromptModality : UsageField.PromptModalityTokens)
                    : list == CandidatesTokensDetails ? (isModality ? UsageField.CandidatesModality : UsageField.CandidatesModalityTokens)
                    : list == CacheTokensDetails ? (isModality ? UsageField.CacheModality : UsageField.CacheModalityTokens)
                    : UsageField.None;
            default:
                return UsageField.None;
        }
    }
}
