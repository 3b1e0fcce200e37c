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
/// <para>The counter is not told the operation: every request is counted as a chat request (with the per-message
/// overhead) except those for an embedding model (a model id containing <c>embed</c>), whose text alone is counted.
/// Tool definitions and images are not counted, so a request that carries them is under-counted (the estimate of its
/// output, from its max-tokens field, is unaffected). Thread-safe.</para>
/// </remarks>
internal sealed class TokenizerInputTokenCounter : ILlmInputTokenCounter
{
    public long CountInputTokens(string provider, string? model, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return 0;
        }

        var tokenizer = ModelEncodings.Tokenizer(ModelEncodings.EncodingFor(model));
        var chat = model is null || !model.Contains("embed", StringComparison.OrdinalIgnoreCase);
        var (text, overhead) = RequestTokens.Count(tokenizer, body, complete: true, chat);
        return text + overhead;
    }
}
