using System.Text;

namespace LlmCost.Sdk.ReliabilityTests.Usage;

/// <summary>Mislabelled bodies: the usage is read from the framing the bytes have, not the one the label claims.</summary>
public class FramingTests
{
    [Fact]
    public async Task JsonBodyLabelledEventStream_UsageIsReadFromTheJson()
    {
        await using var calls = new TrackedCalls();
        var body = ChatHandler.OpenAIChat;

        var (read, error) = await calls.CallAsync("openai-chat-stream.sse", body, readSize: 7);
        await calls.Tracker.FlushAsync();

        Assert.Null(error);
        Assert.Equal(body, read);
        var record = Assert.Single(calls.Sink.Records);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(100, record.Usage.InputTokens);
        Assert.Equal(50, record.Usage.OutputTokens);
        Assert.Equal(0, calls.Tracker.Statistics.MalformedResponses);
    }

    [Fact]
    public async Task EventStream_StillReadAsEvents()
    {
        await using var calls = new TrackedCalls();
        var body = TrackedCalls.Payload("openai-chat-stream.sse");

        await calls.CallAsync("openai-chat-stream.sse", Encoding.UTF8.GetBytes("\n" + Encoding.UTF8.GetString(body)));
        await calls.Tracker.FlushAsync();

        var record = Assert.Single(calls.Sink.Records);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(10, record.Usage.InputTokens);
        Assert.Equal(5, record.Usage.OutputTokens);
    }
}
