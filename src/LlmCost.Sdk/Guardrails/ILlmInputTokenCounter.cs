namespace LlmCost.Sdk;

/// <summary>
/// Counts the input tokens of a request body for a pre-flight estimate. Register one (such as the tokenizer-based counter
/// of an opt-in package) to replace the default.
/// </summary>
/// <remarks>
/// The default counts one token per three UTF-8 bytes of the whole request body, rounded up. That overestimates ordinary
/// text (about four bytes per token in English) because it also counts the JSON syntax, roles and field names, so a budget
/// reserves more than the call will cost; it can underestimate text that tokenizes densely (some CJK scripts, long
/// base64 strings). It costs one division: no tokenizer runs on the call's path.
/// </remarks>
public interface ILlmInputTokenCounter
{
    /// <summary>Counts the input tokens of a request.</summary>
    /// <param name="provider">The provider, as a <c>gen_ai.provider.name</c> value.</param>
    /// <param name="model">The model the request asks for, if known.</param>
    /// <param name="body">The request body, UTF-8 JSON.</param>
    /// <returns>The estimated input tokens.</returns>
    long CountInputTokens(string provider, string? model, ReadOnlySpan<byte> body);

    /// <summary>
    /// Counts the input tokens of a request for an operation (the one the SDK matched from the endpoint, such as
    /// <see cref="LlmOperations.Embeddings"/>): the overload the SDK calls. The default ignores the operation and calls
    /// <see cref="CountInputTokens(string, string?, ReadOnlySpan{byte})"/>; implement it to count each kind of request by
    /// its own rule (an embeddings request has no messages, so no per-message overhead).
    /// </summary>
    /// <param name="provider">The provider, as a <c>gen_ai.provider.name</c> value.</param>
    /// <param name="model">The model the request asks for, if known.</param>
    /// <param name="operation">The operation, as a <c>gen_ai.operation.name</c> value (<see cref="LlmOperations"/>).</param>
    /// <param name="body">The request body, UTF-8 JSON.</param>
    /// <returns>The estimated input tokens.</returns>
    long CountInputTokens(string provider, string? model, string operation, ReadOnlySpan<byte> body) => CountInputTokens(provider, model, body);
}
