using Microsoft.ML.Tokenizers;

namespace LlmCost.Sdk.Tokenizers;

/// <summary>
/// Counts the input tokens of a request body the one way both the usage estimator (after a call that reported no usage)
/// and the pre-flight counter (before a call, for budgets) count them, so the two agree on the same request.
/// </summary>
/// <remarks>
/// Each request text value is tokenized on its own (see <see cref="EstimationText.ReadRequest"/>); a chat request adds the
/// overhead OpenAI documents for chat messages in the OpenAI Cookbook's "How to count tokens with tiktoken": 3 tokens per
/// message, the role's token (every role name is one token), and 3 tokens priming the reply. Tool definitions and images
/// are not counted.
/// </remarks>
internal static class RequestTokens
{
    /// <summary>The per-message overhead of a chat message (OpenAI Cookbook, "How to count tokens with tiktoken").</summary>
    public const int TokensPerMessage = 3;

    /// <summary>The tokens of a message's role name (system, developer, user, assistant, tool: one token each).</summary>
    public const int TokensPerRole = 1;

    /// <summary>The tokens that prime the reply: <c>&lt;|start|&gt;assistant&lt;|message|&gt;</c>.</summary>
    public const int ReplyPrimingTokens = 3;

    /// <summary>
    /// Counts a request body (possibly cut short when <paramref name="complete"/> is false): the tokens of its text, and
    /// the chat overhead when <paramref name="chat"/> (zero otherwise).
    /// </summary>
    public static (long Text, long Overhead) Count(Tokenizer tokenizer, ReadOnlySpan<byte> body, bool complete, bool chat)
    {
        var (values, messages) = EstimationText.ReadRequest(body, complete);
        var text = 0L;
        foreach (var value in values)
        {
            text += tokenizer.CountTokens(value);
        }

        return (text, chat ? Overhead(messages, values.Count) : 0);
    }

    /// <summary>The chat overhead of a request with <paramref name="messages"/> messages (at least one when it has text).</summary>
    private static long Overhead(int messages, int values)
    {
        var counted = Math.Max(messages, values > 0 ? 1 : 0);
        return (counted * (TokensPerMessage + TokensPerRole)) + ReplyPrimingTokens;
    }
}
