namespace LlmCost.Sdk;

/// <summary>The default <see cref="ILlmInputTokenCounter"/>: one token per three UTF-8 bytes of the body, rounded up.</summary>
internal sealed class ByteLengthTokenCounter : ILlmInputTokenCounter
{
    public static readonly ByteLengthTokenCounter Instance = new();

    public long CountInputTokens(string provider, string? model, ReadOnlySpan<byte> body) => (body.Length + 2L) / 3;
}
