using System.Net;
using System.Text;

namespace LlmCost.Sdk.Tests.Guardrails;

/// <summary>
/// The pre-flight's read of a request body: the exact bytes, into a pooled buffer; content that can be written again is
/// left as it is, content that may be readable once is serialized once, and either is sent unchanged after.
/// </summary>
public sealed class RequestBodyTests
{
    [Fact]
    public async Task ReadAsync_StringContent_ExactBytesAndContentStillSendable()
    {
        const string Json = """{"model":"gpt-4o","messages":[{"role":"user","content":"Grüße"}],"max_tokens":10}""";
        using var content = new StringContent(Json, Encoding.UTF8, "application/json");

        using (var body = await RequestBody.ReadAsync(content, CancellationToken.None))
        {
            Assert.Equal(Encoding.UTF8.GetBytes(Json), body.Memory.ToArray());
        }

        Assert.Equal(Json, await content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadAsync_PushContentOfUnknownLength_SerializedOnceAndSentFromTheBuffer()
    {
        // Like System.ClientModel's request content: written by a serializer, length unknown, larger than the first buffer.
        var json = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 20_000) + "\"}]}";
        using var content = new PushContent(Encoding.UTF8.GetBytes(json));

        using (var body = await RequestBody.ReadAsync(content, CancellationToken.None))
        {
            Assert.Equal(json, Encoding.UTF8.GetString(body.Span));
        }

        Assert.Equal(json, await content.ReadAsStringAsync()); // what the send writes
        Assert.Equal(1, content.Serializations);
    }

    [Fact]
    public async Task ReadAsync_NoContent_Empty()
    {
        using var body = await RequestBody.ReadAsync(null, CancellationToken.None);

        Assert.True(body.Memory.IsEmpty);
    }

    [Fact]
    public async Task SendAsync_HardCapOnPushContent_ProviderGetsTheBytesAndTheContentIsSerializedOnce()
    {
        await using var host = GuardrailHost.Create(b => b.AddBudget("cap", o =>
        {
            o.Limit = 100m;
            o.Enforcement = LlmBudgetEnforcement.Refuse;
        }));
        using var http = host.CreateClient();
        var json = """{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"max_tokens":1000}"""u8.ToArray();
        var content = new PushContent(json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions") { Content = content };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(json, Assert.Single(host.Provider.Bodies));
        Assert.Equal(1, content.Serializations);
    }

    /// <summary>Content that serializes on demand and cannot tell its length, counting its serializations.</summary>
    private sealed class PushContent(byte[] bytes) : HttpContent
    {
        public int Serializations { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            Serializations++;
            for (var i = 0; i < bytes.Length; i += 1000)
            {
                await stream.WriteAsync(bytes.AsMemory(i, Math.Min(1000, bytes.Length - i)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
