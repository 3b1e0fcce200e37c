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

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "AddHeaders")]
    private static extern void AddHeaders(HttpHeaders target, HttpHeaders source);
}
