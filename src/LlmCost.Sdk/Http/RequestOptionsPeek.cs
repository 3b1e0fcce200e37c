using System.Runtime.CompilerServices;

namespace LlmCost.Sdk;

/// <summary>
/// Reads a request's options without creating them. <see cref="HttpRequestMessage.Options"/> allocates its dictionary
/// on first access (about 100 bytes), and most requests never set any: asking it whether the app attached
/// <see cref="LlmCostTags"/> would cost every tracked call those bytes. The private field is read instead, through
/// <see cref="UnsafeAccessorAttribute"/> (trimming- and AOT-safe); should a runtime rename it, the public property is used.
/// </summary>
internal static class RequestOptionsPeek
{
    private static volatile bool s_fieldMissing;

    /// <summary>Gets the tags attached with <see cref="LlmCostHttpRequestMessageExtensions.SetLlmCostTags(HttpRequestMessage, LlmCostTags)"/>, or <see langword="null"/>.</summary>
    public static LlmCostTags? Tags(HttpRequestMessage request) =>
        Existing(request) is { } options && options.TryGetValue(LlmCostTags.RequestOptionsKey, out var tags) ? tags : null;

    /// <summary>Gets the request's options if anything created them, without creating them.</summary>
    public static HttpRequestOptions? Existing(HttpRequestMessage request)
    {
        if (!s_fieldMissing)
        {
            try
            {
                return OptionsField(request);
            }
            catch (MissingFieldException)
            {
                s_fieldMissing = true;
            }
        }

        return request.Options;
    }

    /// <summary>Gets a value indicating whether the private field is read (tests pin it: the fallback works but allocates).</summary>
    public static bool ReadsField => !s_fieldMissing;

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_options")]
    private static extern ref HttpRequestOptions? OptionsField(HttpRequestMessage request);
}
