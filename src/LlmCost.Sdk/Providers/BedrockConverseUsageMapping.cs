namespace LlmCost.Sdk;

/// <summary>Bedrock Converse and ConverseStream responses. (Skeleton: the Bedrock work fills it in.)</summary>
internal sealed class BedrockConverseUsageMapping : UsageMapping
{
    public static readonly BedrockConverseUsageMapping Instance = new();

    public override UsageField Match(in JsonPath path) => UsageField.None;
}
