using LlmCost.Sdk.Tokenizers;

namespace LlmCost.Sdk;

/// <summary>
/// The pre-flight input count of budgets (<see cref="ILlmInputTokenCounter"/>) with the model's own encoding: the request
/// body's text counted exactly as <see cref="TokenizerUsageEstimator"/> counts it after a call that reported no usage.
/// </summary>
/// <remarks>
/// <para>It runs only where the core asks for a pre-flight estimate: when a budget applies to the call (on the call's
/// path, before it is sent) and in <see cref="ILlmCostEstimator.EstimateAsync"/>. A call no budget applies to is never
/// tokenized.</para>
/// <para>The SDK tells the counter the operation it matched from the endpoint: an embeddings request's text alone is
/// counted; any other request is counted as a chat request (with the per-message overhead). Called without the operation
/// (the older overload), a model id containing <c>embed</c> stands for an embeddings request. Tool definitions and images are not counted, so a request that carries them is under-counted (the estimate of its
/// output, from its max-tokens field, is unaffected). Thread-safe.</para>
/// </remarks>
internal sealed class TokenizerInputTokenCounter : ILlmInputTokenCounter
{
    public long CountInputTokens(string provider, string? model, ReadOnlySpan<byte> body) =>
        Count(model, body, chat: model is null || !model.Contains("embed", StringComparison.OrdinalIgnoreCase));

    public long CountInputTokens(string provider, string? model, string operation, ReadOnlySpan<byte> body) =>
        Count(model, body, chat: !string.Equals(operation, LlmOperations.Embeddings, StringComparison.Ordinal));

    private static long Count(string? model, ReadOnlySpan<byte> body, bool chat)
    {
        if (body.IsEmpty)
        {
            return 0;
        }

        var tokenizer = ModelEncodings.Tokenizer(ModelEncodings.EncodingFor(model));
        var (text, overhead) = RequestTokens.Count(tokenizer, body, complete: true, chat);
        return text + overhead;
    }
}
