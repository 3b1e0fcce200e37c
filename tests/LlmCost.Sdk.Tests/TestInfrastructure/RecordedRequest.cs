using System.Text;

namespace LlmCost.Sdk.Tests;

/// <summary>A request <see cref="ProviderStub"/> received.</summary>
internal sealed record RecordedRequest(string Method, string PathAndQuery, string Host, string? ContentType, byte[] Body)
{
    /// <summary>Gets the Content-Length header the request carried, if any.</summary>
    public long? ContentLength { get; init; }

    /// <summary>Gets the Transfer-Encoding header the request carried ("chunked"), or an empty string.</summary>
    public string TransferEncoding { get; init; } = string.Empty;

    public string BodyText => Encoding.UTF8.GetString(Body);
}
