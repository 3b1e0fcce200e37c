using System.Net.Http.Headers;
using System.Runtime.CompilerServices;

namespace LlmCost.Sdk;

/// <summary>Carries content headers over to a wrapping content, so the app sees exactly the headers it would have seen.</summary>
/// <remarks>
/// <see cref="HttpContent.Headers"/> is not virtual, so a wrapper has headers of its own and they must be copied on every
/// tracked call. <c>HttpHeaders.AddHeaders</c> (internal; what <see cref="HttpClient"/> uses to copy its default request
/// headers into each request) clones the header store as it is: parsed values stay parsed (cloned, never shared) and raw
/// ones raw, so nothing is formatted into strings and parsed back. Enumerating the headers and adding each value did
/// exactly that, and was a tenth of the handler's time on the caller's path (benchmarks/README.md). It is called through
/// <see cref="UnsafeAccessorAttribute"/> (trimming- and AOT-safe); should a runtime rename it, the public enumeration is
/// used instead.
/// </remarks>
internal static class HttpHeadersCopier
{
    private static volatile bool s_addHeadersMissing;
    private static volatile bool s_headersFieldMissing;

    /// <summary>Gets a value indicating whether wrappers share the wrapped content's headers (tests pin it: the fallback copies them).</summary>
    public static bool SharesHeaders => !s_headersFieldMissing;

    /// <summary>
    /// Gives <paramref name="to"/> the very header collection of <paramref name="from"/>: nothing is copied or allocated,
    /// and the app (and every handler after this one) sees and changes exactly the headers it would see without the SDK.
    /// </summary>
    /// <remarks>
    /// The collection's one link to its content is the <c>Content-Length</c> it works out when none is stored: from
    /// <paramref name="from"/>, not from the wrapper. Callers share only where that gives the same answer (a request's
    /// wrapper takes its length from the wrapped content anyway; a response whose <c>Content-Length</c> is stored) and
    /// copy otherwise. The private field <c>HttpContent._headers</c> is set through <see cref="UnsafeAccessorAttribute"/>;
    /// should a runtime rename it, the headers are copied.
    /// </remarks>
    public static void ShareContentHeaders(HttpContent from, HttpContent to)
    {
        if (!s_headersFieldMissing)
        {
            try
            {
                HeadersField(to) = from.Headers;
                return;
            }
            catch (MissingFieldException)
            {
                s_headersFieldMissing = true;
            }
        }

        CopyContentHeaders(from, to);
    }

    /// <summary>Gets a value indicating whether the runtime's own header copy is used (tests pin it: the fallback works but is slower).</summary>
    public static bool UsesRuntimeCopy => !s_addHeadersMissing;

    public static void CopyContentHeaders(HttpContent from, HttpContent to)
    {
        if (!s_addHeadersMissing)
        {
            try
            {
                AddHeaders(to.Headers, from.Headers);
                return;
            }
            catch (MissingMethodException)
            {
                s_addHeadersMissing = true;
            }
        }

        CopyEachValue(from, to);
    }

    /// <summary>The public way: every value of every header, added without validation (the fallback).</summary>
    internal static void CopyEachValue(HttpContent from, HttpContent to)
    {
        foreach (var header in from.Headers.NonValidated)
        {
            foreach (var value in header.Value)
            {
                to.Headers.TryAddWithoutValidation(header.Key, value);
            }
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_headers")]
    private static extern ref HttpContentHeaders? HeadersField(HttpContent content);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "AddHeaders")]
    private static extern void AddHeaders(HttpHeaders target, HttpHeaders source);
}
