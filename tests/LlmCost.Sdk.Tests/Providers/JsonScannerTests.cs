using System.Text;

namespace LlmCost.Sdk.Tests.Providers;

public class JsonScannerTests
{
    [Fact]
    public void Write_EscapedQuotesAndBackslashesInStrings_DoNotConfuseStructure()
    {
        var body = Encoding.UTF8.GetBytes("""{"choices":[{"text":"a \"quoted\" \\ path \\\" {not: json}"}],"model":"m\u00e9","usage":{"prompt_tokens":4,"completion_tokens":2}}""");

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, body, sse: false, chunkSize: 1);

        Assert.False(malformed);
        Assert.Equal(UsageParsing.Usage(4, 0, 0, 2, 0), usage.ToUsage());
    }

    [Fact]
    public void Write_NotJson_IsMalformedAndReportsNothing()
    {
        var body = "<html><body>502 Bad Gateway</body></html>"u8.ToArray();

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, body, sse: false, chunkSize: 8);

        Assert.True(malformed);
        Assert.False(usage.HasUsage);
    }

    [Fact]
    public void Write_NumbersThatAreNotCounts_MakeTheUsageUnreliable()
    {
        // Issue 12: a count that is not a non-negative integer is never read as 0 and priced as the provider's usage;
        // an integral exponent (1.5e3 = 1500) is a count.
        var body = """{"usage":{"prompt_tokens":-3,"completion_tokens":1.5e3}}"""u8.ToArray();

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, body, sse: false, chunkSize: 4);

        Assert.True(malformed);
        Assert.True(usage.Unreliable);
        Assert.Equal(TokenUsage.None, usage.ToUsage());
    }

    [Fact]
    public void Write_HugeContentString_KeepsConstantState()
    {
        // 8 MiB of completion text: the scanner must skip it without keeping it.
        var content = new string('x', 8 * 1024 * 1024);
        var body = Encoding.UTF8.GetBytes("{\"model\":\"gpt-4o\",\"choices\":[{\"message\":{\"content\":\"" + content + "\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2000000}}");

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, body, sse: false, chunkSize: 16 * 1024);

        Assert.False(malformed);
        Assert.Equal(2_000_000, usage.ToUsage().OutputTokens);
    }

    [Fact]
    public void Write_ModelRepeatedInEveryChunk_AllocatesTheStringOnce()
    {
        var usage = new UsageAccumulator();
        usage.SetModel(UsageField.Model, "gpt-4o-2024-08-06"u8);
        var first = usage.Model;

        usage.SetModel(UsageField.Model, "gpt-4o-2024-08-06"u8);

        Assert.Same(first, usage.Model);
    }
}
