using System.Text;

namespace LlmCost.Sdk.ReliabilityTests.Usage;

/// <summary>Usage that is either right or flagged: numbers a provider would not send are never priced as reported.</summary>
public class MalformedNumberTests
{
    private static byte[] Body(string promptTokens) => Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":"""
        + promptTokens + ""","completion_tokens":50,"total_tokens":1050}}""");

    [Theory]
    [InlineData("1000")]
    [InlineData("1000.0")]
    [InlineData("1e3")]
    [InlineData("1E+3")]
    [InlineData("10000e-1")]
    public async Task IntegralNumber_IsReadAsTheCount(string value)
    {
        await using var calls = new TrackedCalls();

        await calls.CallAsync("openai-chat.json", Body(value));
        await calls.Tracker.FlushAsync();

        var record = Assert.Single(calls.Sink.Records);
        Assert.Equal(UsageSource.Provider, record.Usage.Source);
        Assert.Equal(1000, record.Usage.InputTokens);
        Assert.Equal(50, record.Usage.OutputTokens);
        Assert.NotNull(record.Cost);
        Assert.Equal(0, calls.Tracker.Statistics.MalformedResponses);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("\"12\"")]
    [InlineData("-5")]
    [InlineData("1e308")]
    [InlineData("9223372036854775808")]
    [InlineData("null")]
    [InlineData("true")]
    public async Task BadNumber_RecordIsFlaggedUnpricedCountedAndLoggedWithoutBodyContent(string value)
    {
        await using var calls = new TrackedCalls();
        var body = Body(value);

        var (read, error) = await calls.CallAsync("openai-chat.json", body);
        await calls.Tracker.FlushAsync();

        Assert.Null(error);
        Assert.Equal(body, read); // the app's bytes are untouched
        var record = Assert.Single(calls.Sink.Records);
        Assert.Equal(UsageSource.None, record.Usage.Source); // never "provider" with a count that was not read
        Assert.Null(record.Cost);
        Assert.Equal(1, calls.Tracker.Statistics.MalformedResponses);
        var log = Assert.Single(calls.Logs.GetSnapshot(), r => r.Id.Id == 6);
        Assert.DoesNotContain("Hi", log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, log.Message, StringComparison.Ordinal);
    }
}
