using Microsoft.ML.Tokenizers;

namespace LlmCost.Sdk.Tokenizers;

/// <summary>
/// The tokenizer that counts a model's tokens: OpenAI's own encodings (tiktoken's BPE vocabularies, shipped in the
/// Microsoft.ML.Tokenizers.Data.* packages, so nothing is downloaded).
/// </summary>
/// <remarks>
/// <para><c>o200k_base</c>: gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and later, the o-series (o1, o3, o4) and gpt-oss, with
/// their snapshots (<c>gpt-4o-2024-08-06</c>). <c>cl100k_base</c>: gpt-4, gpt-4-turbo, gpt-3.5-turbo (Azure's
/// <c>gpt-35-turbo</c>), text-embedding-3-* and text-embedding-ada-002. This is the table of tiktoken's
/// <c>encoding_for_model</c>.</para>
/// <para>Models of other vendors (Claude, Mistral, DeepSeek, Llama, Grok, …) have their own tokenizers, not all
/// published: they are counted with <c>o200k_base</c> as an approximation, typically within 10–20 % on English text.</para>
/// <para>Each vocabulary is loaded once per process, on first use, off the request path; the tokenizers are immutable and
/// thread-safe.</para>
/// </remarks>
internal static class ModelEncodings
{
    public const string O200kBase = "o200k_base";
    public const string Cl100kBase = "cl100k_base";

    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding(O200kBase), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<Tokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding(Cl100kBase), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Gets the tokenizer of an encoding named by <see cref="EncodingFor"/>.</summary>
    public static Tokenizer Tokenizer(string encoding) => encoding == Cl100kBase ? Cl100k.Value : O200k.Value;

    /// <summary>Names the encoding of a model id (the served one, else the requested one); <c>o200k_base</c> when unknown.</summary>
    public static string EncodingFor(string? model)
    {
        if (string.IsNullOrEmpty(model))
        {
            return O200kBase;
        }

        var id = model.AsSpan().Trim();

        // A gateway's or Bedrock's vendor prefix: "openai/gpt-4o" (OpenRouter), "openai.gpt-oss-120b-1:0".
        var slash = id.LastIndexOf('/');
        if (slash >= 0)
        {
            id = id[(slash + 1)..];
        }

        if (id.StartsWith("openai.", StringComparison.OrdinalIgnoreCase))
        {
            id = id["openai.".Length..];
        }

        if (StartsWith(id, "gpt-4o") || StartsWith(id, "gpt-4.1") || StartsWith(id, "gpt-4.5") || StartsWith(id, "chatgpt-4o")
            || StartsWith(id, "gpt-5") || StartsWith(id, "gpt-oss") || StartsWith(id, "o1") || StartsWith(id, "o3") || StartsWith(id, "o4")
            || StartsWith(id, "codex-"))
        {
            return O200kBase;
        }

        if (StartsWith(id, "gpt-4") || StartsWith(id, "gpt-3.5") || StartsWith(id, "gpt-35") || StartsWith(id, "text-embedding-3")
            || StartsWith(id, "text-embedding-ada-002"))
        {
            return Cl100kBase;
        }

        return O200kBase;
    }

    private static bool StartsWith(ReadOnlySpan<char> id, string prefix) => id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
}
