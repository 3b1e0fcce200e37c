using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace LlmCost.Sdk.Tests.Providers;

/// <summary>
/// The pump reuses a finished call's <see cref="UsageAccumulator"/> and <see cref="JsonScanner"/> for the next call: made
/// new, each must be exactly a new instance, field by field — so a field added later and left out of the reset fails here.
/// </summary>
public sealed class ReaderResetTests
{
    private static readonly byte[] Rich = Encoding.UTF8.GetBytes(
        """{"model":"gemini-2.5-flash","service_tier":"priority","usageMetadata":{"promptTokenCount":1.5,"candidatesTokenCount":7,"promptTokensDetails":[{"modality":"AUDIO","tokenCount":5},{"modality":"IMAGE","tokenCount":3}],"cachedContentTokenCount":2""");

    [Fact]
    public void UsageAccumulator_Reset_IsANewInstanceFieldByField()
    {
        var table = PriceTable.Default;
        var used = new UsageAccumulator();
        var scanner = new JsonScanner(GeminiUsageMapping.Instance, used);
        used.SetRequestModel("gpt-4o");
        used.SetReportedCost(0.5m);
        used.RequiresFinalMarker = true;
        scanner.Write(Rich); // a document cut short: pending modality, counts, an unreliable count
        used.MarkFinalPending();
        used.MarkFinal();
        used.MarkUnreliable();
        Assert.True(used.HasUsage);

        used.Reset(table);

        AssertSameFields(new UsageAccumulator(table), used);
    }

    [Fact]
    public void JsonScanner_Rebind_IsANewInstanceFieldByField()
    {
        var first = new UsageAccumulator();
        var scanner = new JsonScanner(OpenAIUsageMapping.Instance, first);
        scanner.Write(Encoding.UTF8.GetBytes("""{"model":"gpt-4o","usage":{"prompt_tokens":12,"completion_tokens":"abcdefghij"""));
        scanner.Release();

        var next = new UsageAccumulator();
        var rebound = scanner.Rebind(AnthropicUsageMapping.Instance, next);

        Assert.Same(scanner, rebound);
        AssertSameFields(new JsonScanner(AnthropicUsageMapping.Instance, next), rebound);
    }

    [Fact]
    public void JsonScanner_Rebound_ReadsTheNextDocumentAsANewOneWould()
    {
        var body = Payloads.Bytes("anthropic-messages-cache.json");
        var scanner = new JsonScanner(OpenAIUsageMapping.Instance, new UsageAccumulator());
        scanner.Write(Payloads.Bytes("openai-chat.json").AsSpan(0, 200)); // stopped mid-document
        scanner.Release();

        var reused = new UsageAccumulator();
        var rebound = scanner.Rebind(AnthropicUsageMapping.Instance, reused);
        rebound.Write(body);
        rebound.Complete();
        var (fresh, malformed) = UsageParsing.Read(AnthropicUsageMapping.Instance, body, sse: false, chunkSize: body.Length);

        Assert.False(rebound.Malformed);
        Assert.False(malformed);
        Assert.Equal(fresh.ToUsage(), reused.ToUsage());
        Assert.Equal(fresh.Model, reused.Model);
        Assert.True(reused.Final);
    }

    /// <summary>Every instance field equal: references by identity, value types byte for byte (inline arrays included).</summary>
    private static void AssertSameFields<T>(T expected, T actual)
        where T : class
    {
        var fields = typeof(T).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        Assert.NotEmpty(fields);
        foreach (var field in fields)
        {
            var e = field.GetValue(expected);
            var a = field.GetValue(actual);
            if (field.FieldType.IsValueType)
            {
                Assert.True(Bytes(e!).SequenceEqual(Bytes(a!)), $"{typeof(T).Name}.{field.Name}: {a} is not {e} (a new instance's)");
            }
            else
            {
                Assert.True(ReferenceEquals(e, a) || Equals(e, a), $"{typeof(T).Name}.{field.Name}: {a ?? "null"} is not {e ?? "null"} (a new instance's)");
            }
        }
    }

    private static byte[] Bytes(object boxed)
    {
        var size = RuntimeHelpers.SizeOf(boxed.GetType().TypeHandle);
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<StrongBox<byte>>(boxed).Value, size).ToArray();
    }
}
