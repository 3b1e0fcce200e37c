using LlmCost.Sdk.Tokenizers;

namespace LlmCost.Sdk;

/// <summary>
/// Counts the tokens of a call that reported no usage from the bytes the core captured, with the model's own encoding
/// (see <see cref="ModelEncodings"/>).
/// </summary>
/// <remarks>
/// <para>Input: each request text value is tokenized on its own, plus the overhead OpenAI documents for chat messages in
/// the OpenAI Cookbook's "How to count tokens with tiktoken": 3 tokens per message, the role's token (every role name is
/// one token), and 3 tokens priming the reply. Tool definitions and images are not counted, so input may be
/// under-estimated for calls that use them. Output: the streamed text, tokenized as one text.</para>
/// <para>Bytes past the core's capture cap are not seen: the count is scaled up by the same ratio (tokens × all bytes ÷
/// bytes seen), which assumes the rest tokenizes like what was seen. Thread-safe; runs off the request path.</para>
/// </remarks>
internal sealed class TokenizerUsageEstimator : ILlmUsageEstimator
{
    /// <summary>The per-message overhead of a chat message (OpenAI Cookbook, "How to count tokens with tiktoken").</summary>
    public const int TokensPerMessage = RequestTokens.TokensPerMessage;

    /// <summary>The tokens of a message's role name (system, developer, user, assistant, tool: one token each).</summary>
    public const int TokensPerRole = RequestTokens.TokensPerRole;

    /// <summary>The tokens that prime the reply: <c>&lt;|start|&gt;assistant&lt;|message|&gt;</c>.</summary>
    public const int ReplyPrimingTokens = RequestTokens.ReplyPrimingTokens;

    public TokenUsage? Estimate(LlmUsageEstimationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tokenizer = ModelEncodings.Tokenizer(ModelEncodings.EncodingFor(context.Model ?? context.RequestModel));
        var input = 0L;
        if (!context.RequestBody.IsEmpty)
        {
            var body = context.RequestBody.Span;
            var (text, overhead) = RequestTokens.Count(tokenizer, body, complete: context.RequestBodyLength <= body.Length, chat: context.Operation == LlmOperations.Chat);
            input = Scale(text, body.Length, context.RequestBodyLength) + overhead;
        }

        var output = 0L;
        if (!context.ResponseBody.IsEmpty)
        {
            var sse = context.ResponseBody.Span;
            var text = EstimationText.ReadStream(sse, complete: context.ResponseBodyLength <= sse.Length, context.Format);
            output = Scale(text.Length == 0 ? 0 : tokenizer.CountTokens(text), sse.Length, context.ResponseBodyLength);
        }

        return new TokenUsage { InputTokens = input, OutputTokens = output, Source = UsageSource.Estimated };
    }

    /// <summary>Scales a count up for the bytes past the cap, assuming they tokenize like the bytes seen.</summary>
    private static long Scale(long tokens, int seen, long total) =>
        total <= seen || seen == 0
            ? tokens
            : (long)Math.Round(tokens * ((double)total / seen), MidpointRounding.AwayFromZero);
}
