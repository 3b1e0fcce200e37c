using Xunit.Abstractions;

namespace LlmCost.Sdk.ReliabilityTests.Usage;

/// <summary>
/// Every record either right or flagged: each real payload cut at every byte, through the public handler. The app gets
/// exactly the bytes that arrived, there is exactly one record per call, and a record whose usage says "provider" has the
/// usage of the whole payload — also where the cut falls between two whole SSE events: a stream that ends before the
/// provider's final usage report is flagged (issue 12, item 7), so <see cref="Outcome.PartialAtEventBoundary"/> never occurs.
/// </summary>
public class TruncationTests(ITestOutputHelper output)
{
    public static TheoryData<string> Payloads() =>
    [
        "openai-chat.json",
        "openai-responses.json",
        "anthropic-messages.json",
        "anthropic-messages-cache.json",
        "openai-chat-stream.sse",
        "anthropic-messages-stream.sse",
    ];

    /// <summary>How a truncated call was recorded.</summary>
    internal enum Outcome
    {
        /// <summary>The usage of the whole payload, from the provider.</summary>
        Right,

        /// <summary>Not claimed as the provider's: usage none (cost null) or estimated.</summary>
        Flagged,

        /// <summary>The provider's usage as far as the stream went, at a boundary between two whole SSE events.</summary>
        PartialAtEventBoundary,

        /// <summary>Provider usage that differs from the payload's: what this issue forbids.</summary>
        Wrong,
    }

    internal static Outcome Classify(CostRecord record, TokenUsage whole, byte[] cut, bool sse)
    {
        if (record.Usage.Source != UsageSource.Provider)
        {
            return record.Usage.Source == UsageSource.None && record.Cost is not null ? Outcome.Wrong : Outcome.Flagged;
        }

        if (record.Usage == whole)
        {
            return Outcome.Right;
        }

        // A stream cut cleanly between events: each event read was whole, and nothing in the format says more was due.
        return sse && EndsAtEventBoundary(cut) ? Outcome.PartialAtEventBoundary : Outcome.Wrong;
    }

    private static bool EndsAtEventBoundary(byte[] cut)
    {
        var text = System.Text.Encoding.UTF8.GetString(cut);
        var lastData = text.LastIndexOf("data:", StringComparison.Ordinal);
        if (lastData < 0)
        {
            return true;
        }

        var lineEnd = text.IndexOf('\n', lastData);
        if (lineEnd >= 0)
        {
            return true; // the last data line was complete
        }

        if (string.IsNullOrWhiteSpace(text[(lastData + 5)..]))
        {
            return true; // cut before any of the event's data
        }

        try
        {
            // The line was cut after its JSON document closed: the event's data is whole.
            using var document = System.Text.Json.JsonDocument.Parse(text[(lastData + 5)..]);
            return true;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task EveryCut_AppBytesUnchangedOneRecordPerCallAndEveryRecordRightOrFlagged(string payload)
    {
        var body = TrackedCalls.Payload(payload);
        var sse = payload.EndsWith(".sse", StringComparison.Ordinal);
        await using var calls = new TrackedCalls();

        await calls.CallAsync(payload, body);
        await calls.Tracker.FlushAsync();
        var whole = Assert.Single(calls.Sink.Records).Usage;
        Assert.Equal(UsageSource.Provider, whole.Source);
        calls.Sink.Clear();

        var outcomes = new Dictionary<Outcome, int>();
        for (var length = 0; length < body.Length; length++)
        {
            var cut = body[..length];
            (byte[]? Body, Exception? Error) result;
            using (LlmCostScope.Begin(feature: Cut(length)))
            {
                result = await calls.CallAsync(payload, cut, readSize: 1 + (length % 97));
            }

            var (read, error) = result;
            Assert.Null(error);
            Assert.Equal(cut, read);
        }

        await calls.Tracker.FlushAsync();
        var records = calls.Sink.Records;
        Assert.Equal(body.Length, records.Count); // exactly one record per call
        var byCall = records.ToDictionary(r => r.Tags.Feature!);
        for (var length = 0; length < body.Length; length++)
        {
            var outcome = Classify(byCall[Cut(length)], whole, body[..length], sse);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            Assert.True(outcome is Outcome.Right or Outcome.Flagged, $"cut at {length} ({outcome}): {CostRecordJsonText(byCall[Cut(length)])}");
        }

        output.WriteLine($"{payload}: {body.Length} cuts; " + string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")));
    }

    private static string Cut(int length) => "cut-" + length.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string CostRecordJsonText(CostRecord record) =>
        $"source {record.Usage.Source}, input {record.Usage.InputTokens}, output {record.Usage.OutputTokens}, cost {record.Cost?.Total}";
}
