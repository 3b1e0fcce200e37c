namespace LlmCost.Sdk;

/// <summary>Bedrock InvokeModel and InvokeModelWithResponseStream responses. (Skeleton: the Bedrock work fills it in.)</summary>
internal sealed class BedrockInvokeUsageMapping : UsageMapping
{
    public static readonly BedrockInvokeUsageMapping Instance = new();

    public override UsageField Match(in JsonPath path) => UsageField.None;
}
