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

    /// <summary>Issue 12, item 8: a stream relabelled by a proxy (or sent without a label) is still read as events.</summary>
    public static TheoryData<string, string?, string, int> MislabelledStreams() => new()
    {
        { "openai-chat-stream.sse", "application/json", "", 1 },
        { "openai-chat-stream.sse", "application/json; charset=utf-8", "", 4096 },
        { "openai-chat-stream.sse", null, "", 2 },
        { "openai-chat-stream.sse", "text/plain", "\n", 3 },
        { "openai-chat-stream.sse", "application/json", ": OPENROUTER PROCESSING\n\n", 1 },
        { "anthropic-messages-stream.sse", "application/json", "", 1 },
        { "anthropic-messages-stream.sse", "application/octet-stream", "", 5 },
        { "anthropic-messages-stream.sse", "application/json", "id: 1\n", 7 },
    };

    [Theory]
    [MemberData(nameof(MislabelledStreams))]
    public async Task EventStreamLabelledAsSomethingElse_AppBytesUnchangedAndUsageReadFromTheEvents(string payload, string? contentType, string prefix, int readSize)
    {
        await using var calls = new TrackedCalls();
        var events = TrackedCalls.Payload(payload);
        await calls.CallAsync(payload, events);
        await calls.Tracker.FlushAsync();
        var labelled = Assert.Single(calls.Sink.Records);
        calls.Sink.Clear();
        var body = Encoding.UTF8.GetBytes(prefix + Encoding.UTF8.GetString(events));

        var (untrackedRead, untrackedError) = await calls.CallAsync(payload, body, Labelled(contentType), readSize, tracked: false);
        var (read, error) = await calls.CallAsync(payload, body, Labelled(contentType), readSize);
        await calls.Tracker.FlushAsync();

        Assert.Null(untrackedError);
        Assert.Null(error);
        Assert.Equal(body, untrackedRead);
        Assert.Equal(body, read); // byte-identical to what the provider sent and an untracked client reads
        var record = Assert.Single(calls.Sink.Records);
        Assert.True(record.Streaming);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(labelled.Usage, record.Usage);
        Assert.Equal(labelled.Cost, record.Cost);
        Assert.Equal(0, calls.Tracker.Statistics.MalformedResponses);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    public async Task JsonBodyWithoutTheJsonLabel_StillReadAsJson(string? contentType)
    {
        await using var calls = new TrackedCalls();
        var body = Encoding.UTF8.GetBytes("\n  " + Encoding.UTF8.GetString(ChatHandler.OpenAIChat));

        var (read, error) = await calls.CallAsync("openai-chat.json", body, Labelled(contentType), readSize: 1);
        await calls.Tracker.FlushAsync();

        Assert.Null(error);
        Assert.Equal(body, read);
        var record = Assert.Single(calls.Sink.Records);
        Assert.False(record.Streaming);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(100, record.Usage.InputTokens);
        Assert.Equal(50, record.Usage.OutputTokens);
    }

    [Fact]
    public async Task BodyThatLooksLikeAFieldNameButIsNot_IsReadAsLabelledAndFlagged()
    {
        // "dat" then not ':': neither events nor JSON. Counted malformed as before; the app's bytes unchanged.
        await using var calls = new TrackedCalls();
        var body = Encoding.UTF8.GetBytes("database error");

        var (read, _) = await calls.CallAsync("openai-chat.json", body, Labelled("application/json"), readSize: 2);
        await calls.Tracker.FlushAsync();

        Assert.Equal(body, read);
        var record = Assert.Single(calls.Sink.Records);
        Assert.Equal(UsageSource.None, record.Usage.Source);
        Assert.Equal(1, calls.Tracker.Statistics.MalformedResponses);
    }

    private static Func<byte[], HttpContent> Labelled(string? contentType) => bytes =>
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        return content;
    };

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
