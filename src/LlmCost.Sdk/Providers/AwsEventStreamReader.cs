namespace LlmCost.Sdk;

/// <summary>The AWS event stream (<c>application/vnd.amazon.eventstream</c>). (Skeleton: the Bedrock work fills it in.)</summary>
internal sealed class AwsEventStreamReader : IUsageReader
{
    public AwsEventStreamReader(JsonScanner json, UsageMapping mapping, UsageAccumulator usage)
    {
    }

    public bool Malformed => false;

    public void Write(ReadOnlySpan<byte> data)
    {
    }

    public void Complete()
    {
    }
}
