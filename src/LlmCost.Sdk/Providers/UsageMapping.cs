using System.Buffers.Text;

namespace LlmCost.Sdk;

/// <summary>
/// One provider's response format: which JSON paths carry usage. Mappings are stateless singletons;
/// what a call has seen so far lives in its <see cref="UsageAccumulator"/>.
/// </summary>
internal abstract class UsageMapping
{
    /// <summary>Gets the depth of the deepest path the mapping matches; names below it are not even hashed.</summary>
    public virtual int MaxDepth => JsonPath.MaxDepth;

    /// <summary>
    /// Gets a value indicating whether values inside array elements have named paths: an array then takes the name
    /// <see cref="JsonPath.ArrayElement"/> in the path, and <see cref="OnElementEnd"/> is called after each object
    /// element (Gemini's <c>promptTokensDetails: [{"modality":"AUDIO","tokenCount":N}]</c>). Off by default: other
    /// mappings never hash the keys inside arrays (choices, content blocks).
    /// </summary>
    public virtual bool ReadsArrayElements => false;

    /// <summary>Called when an object that is an array element ends (only when <see cref="ReadsArrayElements"/>).</summary>
    public virtual void OnElementEnd(UsageAccumulator usage)
    {
    }

    /// <summary>Names the usage value at a path, or <see cref="UsageField.None"/>.</summary>
    public abstract UsageField Match(in JsonPath path);

    public bool Wants(in JsonPath path) => Match(in path) != UsageField.None;

    /// <summary>
    /// Says whether a count at <paramref name="path"/> belongs to the provider's final usage report of a stream, so that
    /// the stream's usage is whole once the document carrying it ends (<see cref="UsageAccumulator.Final"/>). By default
    /// every count is: most providers report usage once, at the end (Chat Completions' last chunk, the Responses API's
    /// <c>response.completed</c>, Bedrock's <c>metadata</c> event). Mappings whose streams report partial counts earlier
    /// (Anthropic's <c>message_start</c>, Gemini's running <c>usageMetadata</c>) override it.
    /// </summary>
    public virtual bool IsFinal(in JsonPath path) => true;

    /// <summary>
    /// Says whether the string at a <see cref="UsageField.FinalMarker"/> path marks the document that ends the provider's
    /// usage reporting (Anthropic's <c>"type":"message_stop"</c>; any Gemini <c>finishReason</c>). By default any non-empty string does.
    /// </summary>
    public virtual bool IsFinalMarker(ReadOnlySpan<byte> value) => !value.IsEmpty;

    /// <summary>
    /// Gets bytes whose presence in a one-line SSE event keeps it from being skipped unread although it has no usage
    /// object: the event may carry the final marker (Anthropic's <c>"message_stop"</c>). Empty when no such event exists.
    /// </summary>
    public virtual ReadOnlySpan<byte> FinalEventBytes => default;

    /// <summary>Gets a value indicating whether <see cref="OnResponse"/> reads anything (the call's usage is otherwise made off the caller's path).</summary>
    public virtual bool ReadsResponseHeaders => false;

    /// <summary>Reads usage a provider reports in response headers (Bedrock's InvokeModel token-count headers). Never throws.</summary>
    public virtual void OnResponse(HttpResponseMessage response, UsageAccumulator usage)
    {
    }

    public void OnValue(in JsonPath path, JsonScalarKind kind, ReadOnlySpan<byte> value, UsageAccumulator usage)
    {
        var field = Match(in path);
        if (field is UsageField.Model or UsageField.RequestModel or UsageField.ServiceTier)
        {
            if (kind == JsonScalarKind.String)
            {
                usage.SetModel(field, value);
            }

            return;
        }

        if (field is UsageField.PromptModality or UsageField.CandidatesModality or UsageField.CacheModality)
        {
            if (kind == JsonScalarKind.String)
            {
                usage.SetPendingModality(field, value);
            }

            return;
        }

        if (field == UsageField.FinalMarker)
        {
            if (kind == JsonScalarKind.String && !value.IsEmpty && IsFinalMarker(value))
            {
                usage.MarkFinalPending();
            }

            return;
        }

        if (field == UsageField.ReportedCost)
        {
            // The default format reads plain and exponent notation (OpenRouter writes 1e-7); 'E' would demand an exponent.
            if (kind == JsonScalarKind.Number && Utf8Parser.TryParse(value, out decimal cost, out var used) && used == value.Length && cost >= 0)
            {
                usage.SetReportedCost(cost);
            }

            return;
        }

        if (kind == JsonScalarKind.Number && TryReadCount(value, out var count))
        {
            if (field is UsageField.PromptModalityTokens or UsageField.CandidatesModalityTokens or UsageField.CacheModalityTokens)
            {
                usage.SetPendingModalityCount(field, count);
            }
            else
            {
                usage.Set(field, count);
            }

            if (IsFinal(in path))
            {
                usage.MarkFinalPending();
            }
        }
        else if (kind != JsonScalarKind.Literal || field is UsageField.TotalInput or UsageField.UncachedInput or UsageField.Output)
        {
            // Not a count a provider reports (1.5, "12", -5, 1e308, 9223372036854775808, or null for a main count):
            // the usage cannot be read completely, and is never priced as if it had been. A null detail count
            // (cache, reasoning) is the provider saying "none" and is read as absent.
            usage.MarkUnreliable();
        }
    }

    /// <summary>
    /// Reads a token count: a non-negative integer, also when written as an integral decimal or exponent (<c>1000.0</c>,
    /// <c>1e3</c>), as some servers serialize numbers; at most 2^53 when written so (beyond, a double is not exact).
    /// </summary>
    internal static bool TryReadCount(ReadOnlySpan<byte> value, out long count)
    {
        count = 0;
        if (!IsJsonNumber(value))
        {
            return false; // 0920, 1., 1e: not JSON, whatever a lenient parser would make of it
        }

        if (Utf8Parser.TryParse(value, out count, out var consumed) && consumed == value.Length)
        {
            return count >= 0;
        }

        const double MaxExact = 9007199254740992d; // 2^53
        if (Utf8Parser.TryParse(value, out double number, out consumed) && consumed == value.Length
            && double.IsFinite(number) && number >= 0 && number <= MaxExact && Math.Floor(number) == number)
        {
            count = (long)number;
            return true;
        }

        count = 0;
        return false;
    }

    /// <summary>The JSON number grammar: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>.</summary>
    private static bool IsJsonNumber(ReadOnlySpan<byte> value)
    {
        var i = 0;
        if (i < value.Length && value[i] == (byte)'-')
        {
            i++;
        }

        if (i >= value.Length || !char.IsAsciiDigit((char)value[i]))
        {
            return false;
        }

        if (value[i] == (byte)'0')
        {
            i++;
        }
        else
        {
            while (i < value.Length && char.IsAsciiDigit((char)value[i]))
            {
                i++;
            }
        }

        if (i < value.Length && value[i] == (byte)'.')
        {
            i++;
            var start = i;
            while (i < value.Length && char.IsAsciiDigit((char)value[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        if (i < value.Length && value[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < value.Length && value[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            var start = i;
            while (i < value.Length && char.IsAsciiDigit((char)value[i]))
            {
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        return i == value.Length;
    }
}
