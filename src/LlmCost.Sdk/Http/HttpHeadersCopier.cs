namespace LlmCost.Sdk;

/// <summary>Carries content headers over to a wrapping content, so the app sees exactly the headers it would have seen.</summary>
internal static class HttpHeadersCopier
{
    public static void CopyContentHeaders(HttpContent from, HttpContent to)
    {
        foreach (var header in from.Headers.NonValidated)
        {
            foreach (var value in header.Value)
            {
                to.Headers.TryAddWithoutValidation(header.Key, value);
            }
        }
    }
}
