using System.Text;

namespace LlmCost.Sdk.Tests.Providers;

/// <summary>The first bytes of a body not labelled <c>text/event-stream</c> decide whether it is events, in any chunking.</summary>
public class FramingSniffTests
{
    [Theory]
    [InlineData("data: {\"a\":1}\n\n", true)]
    [InlineData("event: message_start\ndata: {}\n\n", true)]
    [InlineData("id: 7\ndata: {}\n\n", true)]
    [InlineData("retry: 1000\n\n", true)]
    [InlineData(": keep-alive\n\n", true)]
    [InlineData("\r\n\n  data: {}\n\n", true)]
    [InlineData("{\"usage\":{}}", false)]
    [InlineData("  [{\"a\":1}]", false)]
    [InlineData("database error", false)]
    [InlineData("evil", false)]
    [InlineData("identity", false)]
    [InlineData("null", false)]
    public void Feed_AnyChunking_SameVerdictAndTheReaderGetsEveryByteAfterTheWhiteSpace(string body, bool events)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var expected = bytes.AsSpan(bytes.AsSpan().IndexOfAnyExcept(" \t\r\n"u8)).ToArray();
        for (var size = 1; size <= bytes.Length; size++)
        {
            var sniff = FramingSniff.Start;
            var verdict = FramingSniff.Verdict.Undecided;
            var forwarded = new List<byte>();
            for (var at = 0; at < bytes.Length; at += size)
            {
                var chunk = bytes.AsSpan(at, Math.Min(size, bytes.Length - at));
                if (verdict != FramingSniff.Verdict.Undecided)
                {
                    forwarded.AddRange(chunk.ToArray());
                    continue;
                }

                verdict = sniff.Feed(chunk, out var rest);
                if (verdict != FramingSniff.Verdict.Undecided)
                {
                    forwarded.AddRange(sniff.Matched.ToArray());
                    forwarded.AddRange(rest.ToArray());
                }
            }

            if (verdict == FramingSniff.Verdict.Undecided)
            {
                forwarded.AddRange(sniff.End().ToArray());
                verdict = FramingSniff.Verdict.Json;
            }

            Assert.Equal(events ? FramingSniff.Verdict.Events : FramingSniff.Verdict.Json, verdict);
            Assert.Equal(expected, forwarded.ToArray());
            Assert.False(sniff.Undecided);
        }
    }

    [Fact]
    public void Feed_OnlyWhiteSpace_StaysUndecided()
    {
        var sniff = FramingSniff.Start;

        Assert.Equal(FramingSniff.Verdict.Undecided, sniff.Feed("\n \r\n\t"u8, out var rest));
        Assert.True(rest.IsEmpty);
        Assert.True(sniff.Undecided);
        Assert.True(sniff.End().IsEmpty);
    }
}
