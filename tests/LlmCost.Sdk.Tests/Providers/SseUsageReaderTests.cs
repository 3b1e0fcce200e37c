using System.Text;

namespace LlmCost.Sdk.Tests.Providers;

public class SseUsageReaderTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Write_AnyLineEnding_ReadsEvents(string newline)
    {
        var text = string.Join(newline,
            ": keep-alive comment",
            "event: message_delta",
            "data: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":7}}",
            "",
            "data: [DONE]",
            "",
            "");
        var (usage, malformed) = UsageParsing.Read(AnthropicUsageMapping.Instance, Encoding.UTF8.GetBytes(text), sse: true, chunkSize: 1);

        Assert.False(malformed);
        Assert.Equal(7, usage.ToUsage().OutputTokens);
    }

    [Fact]
    public void Write_DataSplitOverSeveralLines_IsOneJsonDocument()
    {
        var text = "data: {\"usage\":\ndata: {\"prompt_tokens\":5,\ndata: \"completion_tokens\":6}}\n\n";

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, Encoding.UTF8.GetBytes(text), sse: true, chunkSize: 2);

        Assert.False(malformed);
        Assert.Equal(UsageParsing.Usage(5, 0, 0, 6, 0), usage.ToUsage());
    }

    [Fact]
    public void Write_LastEventWithoutBlankLine_IsStillRead()
    {
        var text = "data: {\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6}}";

        var (usage, _) = UsageParsing.Read(OpenAIUsageMapping.Instance, Encoding.UTF8.GetBytes(text), sse: true, chunkSize: 4);

        Assert.Equal(6, usage.ToUsage().OutputTokens);
    }

    [Fact]
    public void Write_BrokenEvent_IsMalformedButLaterEventsStillCount()
    {
        var text = "data: {\"usage\": oops}\n\ndata: {\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3}}\n\n";

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, Encoding.UTF8.GetBytes(text), sse: true, chunkSize: 3);

        Assert.True(malformed);
        Assert.Equal(3, usage.ToUsage().OutputTokens);
    }

    [Fact]
    public void Write_WholeEventsInOneRead_SkipsTextDeltasButNeverUsage()
    {
        // Whole one-line events after the model is known are skipped unless they carry a "usage" key; a text delta that
        // talks about usage has its quotes escaped, so it cannot look like one.
        var text =
            "data: {\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n" +
            "data: {\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"!\"}}],\"usage\": null}\n\n" +
            "data: {\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"the \\\"usage\\\": {} key\"}}]}\n\n" +
            "data: {\"model\":\"gpt-4o\",\"usage\":null,\"choices\":[],\"usage\" : {\"prompt_tokens\":9,\"completion_tokens\":4}}\n\n" +
            "data: [DONE]\n\n";

        var (usage, malformed) = UsageParsing.Read(OpenAIUsageMapping.Instance, Encoding.UTF8.GetBytes(text), sse: true, chunkSize: text.Length);

        Assert.False(malformed);
        Assert.Equal(UsageParsing.Usage(9, 0, 0, 4, 0), usage.ToUsage());
    }
}
