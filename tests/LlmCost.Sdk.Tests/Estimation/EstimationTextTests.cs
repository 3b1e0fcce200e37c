using System.Text;

namespace LlmCost.Sdk.Tests.Estimation;

/// <summary>
/// The scanner copies exactly the strings that are text (JsonScanner's text capture with <see cref="TextFields"/>), at
/// every split of the bytes, and never ids, models, roles, types, URLs or image data.
/// </summary>
public class TextFieldsTests
{
    private static (string Text, TextCapture Capture) Capture(TextFields fields, byte[] body, bool sse, int chunkSize, bool separate)
    {
        var capture = new TextCapture(fields, separate);
        var json = new JsonScanner(sse ? OpenAIUsageMapping.Instance : new NoUsage(), new UsageAccumulator(), capture);
        IUsageReader reader = sse ? new SseUsageReader(json) : json;
        for (var offset = 0; offset < body.Length; offset += chunkSize)
        {
            reader.Write(body.AsSpan(offset, Math.Min(chunkSize, body.Length - offset)));
        }

        reader.Complete();
        json.Release();
        var text = Encoding.UTF8.GetString(capture.Kept).Replace('\0', '|');
        return (text, capture);
    }

    public static TheoryData<int> ChunkSizes => [1, 2, 3, 7, 64, 100_000];

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Request_ChatWithPartsImagesAndToolCalls_CapturesTextOnly(int chunkSize)
    {
        var body = """
            {"model":"gpt-4o","messages":[
              {"role":"system","content":"You are terse."},
              {"role":"user","content":[{"type":"text","text":"What is in this image?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},
              {"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"cat\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"A cat."}
            ],"stream":true,"user":"u-1"}
            """u8.ToArray();

        var (text, capture) = Capture(TextFields.Request, body, sse: false, chunkSize, separate: true);

        Assert.Equal("""You are terse.|What is in this image?|{\"q\":\"cat\"}|A cat.""", text);
        Assert.Equal(4, capture.Messages);
        Assert.Equal(4, capture.Values);
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Request_AnthropicAndResponsesTopLevelText_CountsAsMessages(int chunkSize)
    {
        var anthropic = """{"model":"claude-sonnet-4-5","system":"Be brief.","max_tokens":64,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"text","text":"Describe"}]}],"stream":true}"""u8.ToArray();
        var (text, capture) = Capture(TextFields.Request, anthropic, sse: false, chunkSize, separate: true);
        Assert.Equal("Be brief.|Describe", text);
        Assert.Equal(2, capture.Messages);

        var responses = """{"model":"gpt-4.1","instructions":"Talk like a pirate.","input":"Are semicolons optional?","stream":true}"""u8.ToArray();
        (text, capture) = Capture(TextFields.Request, responses, sse: false, chunkSize, separate: true);
        Assert.Equal("Talk like a pirate.|Are semicolons optional?", text);
        Assert.Equal(2, capture.Messages);
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Response_ChatCompletionsStream_CapturesTheDeltas(int chunkSize)
    {
        var (text, _) = Capture(TextFields.OpenAIResponse, Payloads.Bytes("openai-chat-stream.sse"), sse: true, chunkSize, separate: false);

        Assert.Equal("Hi, how are you?", text);
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Response_ResponsesApiStream_CapturesTheDeltasOnce(int chunkSize)
    {
        // The .done events and response.completed repeat the whole text under "text": it is not counted again.
        var (text, _) = Capture(TextFields.OpenAIResponse, Payloads.Bytes("openai-responses-stream.sse"), sse: true, chunkSize, separate: false);

        Assert.Equal("Greetings, hello, hi, hey, salutations!", text);
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Response_AnthropicStream_CapturesTheTextDeltas(int chunkSize)
    {
        var (text, _) = Capture(TextFields.AnthropicResponse, Payloads.Bytes("anthropic-messages-stream.sse"), sse: true, chunkSize, separate: false);

        Assert.Equal("Hello!", text);
    }

    [Fact]
    public void Response_ToolCallArgumentsAndEscapes_AreCapturedRaw()
    {
        var sse = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\"}}]}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Par\\u00eds\\\"}\"}}]}}]}\n\n";

        var (text, capture) = Capture(TextFields.OpenAIResponse, Encoding.UTF8.GetBytes(sse), sse: true, chunkSize: 5, separate: false);

        Assert.Equal("""{\"city\":\"Par\u00eds\"}""", text);
        Assert.Equal("{\"city\":\"París\"}", Encoding.UTF8.GetString(JsonText.Unescape(capture.Kept)));
    }

    [Fact]
    public void Unescape_SurrogatePairsAndCutEscapes()
    {
        Assert.Equal("😀 ok", Encoding.UTF8.GetString(JsonText.Unescape(Encoding.UTF8.GetBytes("""\ud83d\ude00 ok"""))));
        Assert.Equal("a\n\"b\"\\", Encoding.UTF8.GetString(JsonText.Unescape(Encoding.UTF8.GetBytes("""a\n\"b\"\\"""))));
        Assert.Equal("cut", Encoding.UTF8.GetString(JsonText.Unescape(Encoding.UTF8.GetBytes("""cut\u00"""))));
        Assert.Equal("\uFFFD!", Encoding.UTF8.GetString(JsonText.Unescape(Encoding.UTF8.GetBytes("""\ud83d!"""))));
    }

    [Theory]
    [InlineData("gpt-4o-2024-08-06", "o200k_base")]
    [InlineData("gpt-4o-mini", "o200k_base")]
    [InlineData("gpt-4.1-2025-04-14", "o200k_base")]
    [InlineData("gpt-5.2", "o200k_base")]
    [InlineData("o1-2024-12-17", "o200k_base")]
    [InlineData("o3-mini", "o200k_base")]
    [InlineData("o4-mini-2025-04-16", "o200k_base")]
    [InlineData("openai/gpt-4o", "o200k_base")]
    [InlineData("gpt-4", "cl100k_base")]
    [InlineData("gpt-4-turbo-2024-04-09", "cl100k_base")]
    [InlineData("gpt-3.5-turbo-0125", "cl100k_base")]
    [InlineData("gpt-35-turbo", "cl100k_base")]
    [InlineData("text-embedding-3-small", "cl100k_base")]
    [InlineData("text-embedding-ada-002", "cl100k_base")]
    [InlineData("claude-sonnet-4-5-20250929", "o200k_base")]
    [InlineData(null, "o200k_base")]
    public void EncodingFor_Models(string? model, string encoding)
    {
        Assert.Equal(encoding, ModelEncodings.EncodingFor(model));
    }

    [Fact]
    public void Tokenizer_MatchesTiktokenForTheModel()
    {
        const string Text = "Greetings, hello, hi, hey, salutations!";
        Assert.Equal(
            Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt-4o").CountTokens(Text),
            ModelEncodings.Tokenizer(ModelEncodings.EncodingFor("gpt-4o-2024-08-06")).CountTokens(Text));
        Assert.Equal(
            Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt-3.5-turbo").CountTokens(Text),
            ModelEncodings.Tokenizer(ModelEncodings.EncodingFor("gpt-3.5-turbo-0125")).CountTokens(Text));
    }

    private sealed class NoUsage : UsageMapping
    {
        public override int MaxDepth => 1;

        public override UsageField Match(in JsonPath path) => UsageField.None;
    }
}
