using System.Text;

namespace LlmCost.Sdk.Tests.Http;

/// <summary>
/// <see cref="LlmCostOptions.RequestStreamUsage"/>: a streaming Chat Completions request without stream_options gets
/// include_usage, so the provider reports usage itself; every other body reaches the server byte for byte.
/// </summary>
public class StreamUsageRequestContentTests
{
    private const string SayHiStream = """{"model":"gpt-3.5-turbo-0125","messages":[{"role":"user","content":"Say hi"}],"stream":true}""";

    private static async Task<(RecordedRequest Request, CostRecord Record)> SendAsync(
        ProviderStub stub, string url, string body, bool requestStreamUsage = true, bool stringContent = true)
    {
        await using var host = TrackedHost.Create(stub, configure: o =>
        {
            o.Pipeline.BatchDelay = TimeSpan.Zero;
            o.RequestStreamUsage = requestStreamUsage;
        });
        var bytes = Encoding.UTF8.GetBytes(body);
        HttpContent content = stringContent
            ? new StringContent(body, Encoding.UTF8, "application/json")
            : new StreamContent(new MemoryStream(bytes)) { Headers = { ContentType = new("application/json") } };
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Content.Headers.Add("X-Request-Tag", "kept");
        using (var response = await host.CreateClient().SendAsync(request))
        {
            await response.Content.ReadAsByteArrayAsync();
        }

        return (Assert.Single(stub.Requests), await host.SingleRecordAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_StreamWithoutOptions_AddsIncludeUsageAndRecordsProviderUsage(bool stringContent)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Sse("openai-chat-stream.sse"));

        var (request, record) = await SendAsync(stub, "https://api.openai.com/v1/chat/completions", SayHiStream, stringContent: stringContent);

        Assert.Equal(
            """{"model":"gpt-3.5-turbo-0125","messages":[{"role":"user","content":"Say hi"}],"stream":true,"stream_options":{"include_usage":true}}""",
            request.BodyText);
        Assert.Equal(request.Body.Length, request.ContentLength);
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);

        // The provider answered with its usage chunk: the record is the provider's count, not an estimate.
        Assert.Equal(UsageParsing.Usage(10, 0, 0, 5, 0), record.Usage);
        Assert.Equal(0.0000125m, record.Cost!.Total); // 10 × $0.50 + 5 × $1.50 per 1M tokens
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"stream":true,"stream_options":{"include_usage":false}}""")]
    [InlineData("""{"model":"gpt-4o","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello"}],"stream":true}""")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}""")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}],"stream":false}""")]
    [InlineData("""{"model":"gpt-4o","messages":[{"role":"user","content":"Hello \"stream\": true"}]}""")]
    [InlineData("""{"model":"gpt-4o","stream":true,""")]
    public async Task Send_OtherBodies_ReachTheServerUnchanged(string body)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat.json"));

        var (request, _) = await SendAsync(stub, "https://api.openai.com/v1/chat/completions", body);

        Assert.Equal(Encoding.UTF8.GetBytes(body), request.Body);
        Assert.Equal(request.Body.Length, request.ContentLength);
    }

    [Theory]
    [InlineData("https://api.mistral.ai/v1/chat/completions")] // rejects stream_options (extra_forbidden), reports usage anyway
    [InlineData("https://api.openai.com/v1/responses")]       // the Responses API always reports usage
    [InlineData("https://api.anthropic.com/v1/messages")]     // Anthropic streams always carry usage
    public async Task Send_OtherEndpoints_ReachTheServerUnchanged(string url)
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Json("openai-chat.json"));

        var (request, _) = await SendAsync(stub, url, SayHiStream);

        Assert.Equal(SayHiStream, request.BodyText);
    }

    [Fact]
    public async Task Send_OptionOff_BodyUnchanged()
    {
        await using var stub = await ProviderStub.StartAsync(StubReply.Sse("openai-chat-stream-nousage.sse"));

        var (request, record) = await SendAsync(stub, "https://api.openai.com/v1/chat/completions", SayHiStream, requestStreamUsage: false);

        Assert.Equal(SayHiStream, request.BodyText);
        Assert.Equal(UsageSource.Estimated, record.Usage.Source);
    }

    [Theory]
    [InlineData("""{"stream":true}""", """{"stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("{\n  \"stream\": true\n}\n", "{\n  \"stream\": true\n,\"stream_options\":{\"include_usage\":true}}\n")]
    [InlineData("""{"a":{"stream_options":1},"stream":true}""", """{"a":{"stream_options":1},"stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("""{"stream":"true"}""", null)]
    [InlineData("""[{"stream":true}]""", null)]
    [InlineData("""{"stream":true} {}""", null)]
    [InlineData("not json", null)]
    public void Rewrite_Bodies(string body, string? expected)
    {
        var rewritten = StreamUsageRequestContent.Rewrite(Encoding.UTF8.GetBytes(body));

        Assert.Equal(expected, rewritten is null ? null : Encoding.UTF8.GetString(rewritten));
    }
}
