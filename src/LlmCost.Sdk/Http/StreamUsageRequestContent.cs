using System.Net;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// The request content sent when <see cref="LlmCostOptions.RequestStreamUsage"/> is on: the app's body, with
/// <c>"stream_options":{"include_usage":true}</c> added when it is a streaming Chat Completions request
/// (<c>"stream": true</c>) that does not set <c>stream_options</c> itself, so the provider reports usage in a final chunk.
/// </summary>
/// <remarks>
/// The body is read once, when its length is asked for or when it is sent, and kept so it can be sent again (a retry).
/// The content headers are the app's; Content-Length is the length of the body actually sent. A body that is not a JSON
/// object, that does not stream, or that already has <c>stream_options</c> is sent byte for byte as it was.
/// </remarks>
internal sealed class StreamUsageRequestContent : HttpContent
{
    private static readonly byte[] StreamOptions = ""","stream_options":{"include_usage":true}"""u8.ToArray();

    private byte[]? _body;

    public StreamUsageRequestContent(HttpContent inner)
    {
        Inner = inner;
        foreach (var header in inner.Headers.NonValidated)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var value in header.Value)
                {
                    Headers.TryAddWithoutValidation(header.Key, value);
                }
            }
        }
    }

    public HttpContent Inner { get; }

    /// <summary>Gets a value indicating whether the body sent carries the added <c>stream_options</c>.</summary>
    public bool Rewritten { get; private set; }

    /// <summary>
    /// Whether a call gets <c>stream_options</c>: Chat Completions (<c>…/chat/completions</c>) to OpenAI, Azure OpenAI and
    /// the OpenAI-compatible APIs that accept the option (DeepSeek, Groq, xAI, OpenRouter). Mistral is left out: its API
    /// rejects unknown fields (<c>extra_forbidden</c>) and reports usage in its last chunk anyway.
    /// </summary>
    public static bool Applies(in LlmCallTarget target, Uri? uri) =>
        target.Mapping is OpenAIUsageMapping
        && target.Provider is LlmProviders.OpenAI or LlmProviders.AzureOpenAI or LlmProviders.DeepSeek or LlmProviders.Groq
            or LlmProviders.XAI or LlmProviders.OpenRouter
        && uri is not null
        && uri.AbsolutePath.AsSpan().TrimEnd('/').EndsWith("/chat/completions", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Adds <c>stream_options</c> before the closing brace of a top-level object whose <c>stream</c> is <c>true</c> and
    /// that has no <c>stream_options</c>. Returns <see langword="null"/> to send the body unchanged (also when it is not valid JSON).
    /// </summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var stream = false;
            var hasOptions = false;
            long close = -1;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    close = reader.TokenStartIndex;
                    break;
                }

                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    continue;
                }

                var isStream = reader.ValueTextEquals("stream"u8);
                hasOptions |= reader.ValueTextEquals("stream_options"u8);
                reader.Read();
                if (isStream)
                {
                    stream = reader.TokenType == JsonTokenType.True;
                }

                reader.Skip();
            }

            if (close < 0 || !stream || hasOptions || reader.Read())
            {
                return null; // not streaming, already has options, or something after the object
            }

            var at = (int)close;
            var result = new byte[body.Length + StreamOptions.Length];
            body[..at].CopyTo(result);
            StreamOptions.CopyTo(result.AsSpan(at));
            body[at..].CopyTo(result.AsSpan(at + StreamOptions.Length));
            return result;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_body is null)
        {
            using var buffer = new MemoryStream();
            await Inner.CopyToAsync(buffer, context, cancellationToken).ConfigureAwait(false);
            Prepare(buffer);
        }

        await stream.WriteAsync(_body, cancellationToken).ConfigureAwait(false);
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_body is null)
        {
            Load(context, cancellationToken);
        }

        stream.Write(_body);
    }

    protected override bool TryComputeLength(out long length)
    {
        if (_body is null)
        {
            try
            {
                Load(null, CancellationToken.None);
            }
#pragma warning disable CA1031 // The length is only a hint: a content that cannot be read synchronously is read when sent.
            catch (Exception)
#pragma warning restore CA1031
            {
                length = 0;
                return false;
            }
        }

        length = _body!.Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Load(TransportContext? context, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        Inner.CopyTo(buffer, context, cancellationToken);
        Prepare(buffer);
    }

    private void Prepare(MemoryStream buffer)
    {
        var body = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var rewritten = Rewrite(body);
        Rewritten = rewritten is not null;
        _body = rewritten ?? body.ToArray();
    }
}
