using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace LlmCost.Sdk.ReliabilityTests.Usage;

/// <summary>
/// A seeded mutation fuzzer over real payloads: truncate, flip a byte, splice bytes of another payload in, re-chunk the
/// reads, re-encode (re-indent JSON, CRLF line ends for SSE). For every case the app's bytes and exceptions are those of
/// an untracked client, there is exactly one record per call, and every record is right or flagged. CI runs
/// <see cref="CiCases"/> cases; set <c>LLMCOST_FUZZ_CASES</c> (and <c>LLMCOST_FUZZ_SEED</c>) for a longer run.
/// </summary>
public class MutationFuzzTests(ITestOutputHelper output)
{
    private const int CiCases = 1_500;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    private static readonly string[] JsonPayloads = ["openai-chat.json", "openai-chat-cached.json", "anthropic-messages.json", "anthropic-messages-cache.json"];
    private static readonly string[] SsePayloads = ["openai-chat-stream.sse", "anthropic-messages-stream.sse"];

    [Fact]
    public async Task Mutations_AppSeesWhatAnUntrackedClientSeesAndEveryRecordIsRightOrFlagged()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable("LLMCOST_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : CiCases;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("LLMCOST_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 20261130;
        var random = new Random(seed);
        var all = JsonPayloads.Concat(SsePayloads).ToArray();
        var bodies = all.ToDictionary(p => p, TrackedCalls.Payload);
        await using var calls = new TrackedCalls();

        var wholeUsage = new Dictionary<string, TokenUsage>();
        foreach (var payload in all)
        {
            using (LlmCostScope.Begin(feature: "whole-" + payload))
            {
                await calls.CallAsync(payload, bodies[payload]);
            }
        }

        await calls.Tracker.FlushAsync();
        foreach (var record in calls.Sink.Records)
        {
            wholeUsage[record.Tags.Feature!["whole-".Length..]] = record.Usage;
        }

        calls.Sink.Clear();
        var expectations = new List<(string Feature, string Payload, string Mutation, byte[] Body)>();
        var kinds = new Dictionary<string, int>();
        for (var i = 0; i < cases; i++)
        {
            var payload = all[random.Next(all.Length)];
            var sse = payload.EndsWith(".sse", StringComparison.Ordinal);
            var (mutation, body) = Mutate(random, bodies[payload], bodies[all[random.Next(all.Length)]], sse);
            var readSize = 1 + random.Next(mutation == "rechunk" ? 16 : 4096);
            var feature = "case-" + i.ToString(CultureInfo.InvariantCulture);
            (byte[]? Body, Exception? Error) tracked;
            using (LlmCostScope.Begin(feature: feature))
            {
                tracked = await calls.CallAsync(payload, body, readSize: readSize);
            }

            var untracked = await calls.CallAsync(payload, body, readSize: readSize, tracked: false);
            Assert.Equal(untracked.Error?.GetType(), tracked.Error?.GetType());
            Assert.Equal(untracked.Body, tracked.Body);
            expectations.Add((feature, payload, mutation, body));
            kinds[mutation] = kinds.GetValueOrDefault(mutation) + 1;
        }

        await calls.Tracker.FlushAsync();
        var records = calls.Sink.Records;
        Assert.Equal(cases, records.Count); // exactly one record per call
        var byCall = records.ToDictionary(r => r.Tags.Feature!);
        var outcomes = new Dictionary<string, int>();
        foreach (var (feature, payload, mutation, body) in expectations)
        {
            var record = byCall[feature];
            var verdict = Judge(record, wholeUsage[payload], payload, mutation, body);
            outcomes[verdict] = outcomes.GetValueOrDefault(verdict) + 1;
            Assert.True(verdict != "wrong", $"seed {seed}, {feature} ({payload}, {mutation}): source {record.Usage.Source}, input {record.Usage.InputTokens}, output {record.Usage.OutputTokens}, cached {record.Usage.CachedInputTokens}, reasoning {record.Usage.ReasoningTokens}, cost {record.Cost?.Total}; whole {wholeUsage[payload]}; body {Encoding.UTF8.GetString(body)}");
        }

        output.WriteLine($"seed {seed}: {cases} cases ({string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}); " +
            string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")));
    }

    private static (string Mutation, byte[] Body) Mutate(Random random, byte[] body, byte[] other, bool sse)
    {
        switch (random.Next(sse ? 4 : 5))
        {
            case 0:
                return ("truncate", body[..random.Next(body.Length)]);
            case 1:
                return ("rechunk", body);
            case 2:
            {
                var at = random.Next(body.Length);
                var from = random.Next(other.Length);
                var length = random.Next(1, Math.Min(64, other.Length - from) + 1);
                return ("splice", [.. body[..at], .. other.AsSpan(from, length), .. body[at..]]);
            }

            case 3:
                if (sse)
                {
                    return ("reencode", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\n", "\r\n", StringComparison.Ordinal)));
                }

                using (var document = JsonDocument.Parse(body))
                {
                    return ("reencode", JsonSerializer.SerializeToUtf8Bytes(document.RootElement, random.Next(2) == 0 ? Indented : Compact));
                }

            default:
            {
                var flipped = (byte[])body.Clone();
                flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                return ("flip", flipped);
            }
        }
    }

    /// <summary>
    /// Right: the usage the body says (the whole payload's, or, for a JSON body that still parses, its counts as
    /// System.Text.Json reads them). Flagged: not claimed as the provider's. Partial: a stream spliced between whole events.
    /// </summary>
    private static string Judge(CostRecord record, TokenUsage whole, string payload, string mutation, byte[] body)
    {
        var usage = record.Usage;
        if (usage.Source != UsageSource.Provider)
        {
            return usage.Source == UsageSource.None && record.Cost is not null ? "wrong" : "flagged";
        }

        if (usage == whole)
        {
            return "right";
        }

        if (payload.EndsWith(".sse", StringComparison.Ordinal))
        {
            // Splices that leave whole events: the stream's own counts, as it now says. A cut never gets here: a stream
            // that ends before its final usage report is flagged (issue 12, item 7).
            return mutation is "splice" ? "partial-stream" : "wrong";
        }

        if (HasDuplicateKeys(body))
        {
            // Two "usage" objects (or two counts of one name) in one document: JSON leaves the meaning open (last one
            // wins for System.Text.Json, the SDK adds what both say). No provider sends that; counted apart.
            return "ambiguous";
        }

        return Oracle(body, payload) is { } expected && expected.Input == usage.InputTokens && expected.Output == usage.OutputTokens ? "right" : "wrong";
    }

    private static bool HasDuplicateKeys(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.Select(b => b < 0x20 ? (byte)' ' : b).ToArray());
            return Duplicates(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false; // not JSON, or a name that is not UTF-8: the oracle decides
        }

        static bool Duplicates(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                if (!names.Add(property.Name) || Duplicates(property.Value))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>The input and output tokens System.Text.Json reads from a JSON body, or null when it is not valid JSON.</summary>
    private static (long Input, long Output)? Oracle(byte[] body, string payload)
    {
        try
        {
            // The SDK reads JSON leniently where usage is not at stake (a raw control character inside a string): so does the oracle.
            var lenient = body.Select(b => b < 0x20 ? (byte)' ' : b).ToArray();
            using var document = JsonDocument.Parse(lenient);
            if (!document.RootElement.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            long Count(string name) => usage.TryGetProperty(name, out var v) && v.TryGetInt64(out var c) ? c : 0;
            if (payload.StartsWith("anthropic", StringComparison.Ordinal))
            {
                return (Count("input_tokens") + Count("cache_creation_input_tokens") + Count("cache_read_input_tokens"), Count("output_tokens"));
            }

            // Without prompt_tokens (a key the mutation broke), the input is the sum of its parts the body still reports.
            var cached = usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
                && details.TryGetProperty("cached_tokens", out var c) && c.TryGetInt64(out var n) ? n : 0;
            return (usage.TryGetProperty("prompt_tokens", out var p) && p.TryGetInt64(out var prompt) ? prompt : cached, Count("completion_tokens"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
