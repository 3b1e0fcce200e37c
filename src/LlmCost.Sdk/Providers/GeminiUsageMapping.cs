namespace LlmCost.Sdk;

/// <summary>Gemini API and Vertex AI generateContent responses. (Skeleton: the Gemini work fills it in.)</summary>
internal sealed class GeminiUsageMapping : UsageMapping
{
    public static readonly GeminiUsageMapping Instance = new();

    public override UsageField Match(in JsonPath path) => UsageField.None;
}
