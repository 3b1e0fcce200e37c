namespace LlmCost.Sdk;

/// <summary>
/// Reads one response body's framing (one JSON document, server-sent events, the AWS event stream) incrementally
/// and hands the JSON inside to a <see cref="JsonScanner"/>. Memory is constant; nothing here throws on bad bytes.
/// </summary>
internal interface IUsageReader
{
    /// <summary>Gets a value indicating whether the bytes could not be read as the expected format.</summary>
    bool Malformed { get; }

    /// <summary>Reads the next bytes of the body, as the app receives them.</summary>
    void Write(ReadOnlySpan<byte> data);

    /// <summary>The body ended: whatever is pending is read.</summary>
    void Complete();
}
