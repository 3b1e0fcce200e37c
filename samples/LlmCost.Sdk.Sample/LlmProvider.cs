namespace LlmCost.Sdk.Sample;

/// <summary>The providers this sample talks to.</summary>
internal enum LlmProvider
{
    OpenAI,
    Anthropic,
}
