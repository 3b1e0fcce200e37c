using System.Text;
using LlmCost.Sdk.Tokenizers;

namespace LlmCost.Sdk.Tests.Estimation;

/// <summary>
/// The estimator picks exactly the strings that are text out of the raw bytes the core captured (whole, or cut by the cap
/// anywhere), and never ids, models, roles, types, URLs or image data.
/// </summary>
public class EstimationTextTests
{
    /// <summary>Reads the first <paramref name="length"/> bytes, as a capture cut there would hold them.</summary>
    private static (string Text, int Messages, int Values) Request(byte[] body, int? length = null)
    {
        var (values, messages) = EstimationText.ReadRequest(body.AsSpan(0, length ?? body.Length), complete: length is null);
        return (string.Join("|", values), messages, values.Count);
    }

    private static string Stream(byte[] sse, LlmApiFormat format = LlmApiFormat.OpenAI) => EstimationText.ReadStream(sse, complete: true, format);

    [Fact]
    public void Request_ChatWithPartsImagesAndToolCalls_CapturesTextOnly()
    {
        var body = """
            {"model":"gpt-4o","messages":[
              {"role":"system","content":"You are terse."},
              {"role":"user","content":[{"type":"text","text":"What is in this image?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},
              {"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"cat\"}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"A cat."}
            ],"stream":true,"user":"u-1"}
            """u8.ToArray();

        var (text, messages, values) = Request(body);

        Assert.Equal("""You are terse.|What is in this image?|{"q":"cat"}|A cat.""", text);
        Assert.Equal(4, messages);
        Assert.Equal(4, values);
    }

    [Fact]
    public void Request_CutByTheCap_CountsWhatWasSeen()
    {
        var body = """{"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Hello there"}]}"""u8.ToArray();
        var cut = body.AsSpan().IndexOf("Hello"u8) + 3; // inside the second message's content

        var (text, messages, values) = Request(body, cut);

        Assert.Equal("You are terse.", text);
        Assert.Equal(2, messages);
        Assert.Equal(1, values);
    }

    [Fact]
    public void Request_AnthropicAndResponsesTopLevelText_CountsAsMessages()
    {
        var anthropic = """{"model":"claude-sonnet-4-5","system":"Be brief.","max_tokens":64,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"text","text":"Describe"}]}],"stream":true}"""u8.ToArray();
        var (text, messages, _) = Request(anthropic);
        Assert.Equal("Be brief.|Describe", text);
        Assert.Equal(2, messages);

        var responses = """{"model":"gpt-4.1","instructions":"Talk like a pirate.","input":"Are semicolons optional?","stream":true}"""u8.ToArray();
        (text, messages, _) = Request(responses);
        Assert.Equal("Talk like a pirate.|Are semicolons optional?", text);
        Assert.Equal(2, messages);
    }

    [Fact]
    public void Response_ChatCompletionsStream_CapturesTheDeltas()
    {
        Assert.Equal("Hi, how are you?", Stream(Payloads.Bytes("openai-chat-stream.sse")));
    }

    [Fact]
    public void Response_StreamCutByTheCap_KeepsTheWholeEventsBeforeTheCut()
    {
        var sse = Payloads.Bytes("openai-chat-stream.sse");
        var cut = sse.AsSpan().IndexOf("how"u8) + 1;

        Assert.Equal("Hi,", EstimationText.ReadStream(sse.AsSpan(0, cut), complete: false, LlmApiFormat.OpenAI));
    }

    [Fact]
    public void Response_ResponsesApiStream_CapturesTheDeltasOnce()
    {
        // The .done events and response.completed repeat the whole text under "text": it is not counted again.
        Assert.Equal("Greetings, hello, hi, hey, salutations!", Stream(Payloads.Bytes("openai-responses-stream.sse")));
    }

    [Fact]
    public void Response_AnthropicStream_CapturesTheTextDeltas()
    {
        Assert.Equal("Hello!", Stream(Payloads.Bytes("anthropic-messages-stream.sse"), LlmApiFormat.Anthropic));
    }

    [Fact]
    public void Response_ToolCallArgumentsAndEscapes_AreDecoded()
    {
        var sse = "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\"}}]}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Par\\u00eds\\\"}\"}}]}}]}\n\n";

        Assert.Equal("{\"city\":\"París\"}", Stream(Encoding.UTF8.GetBytes(sse)));
    }

    [Fact]
    public void Response_Escapes_AreDecoded()
    {
        var sse = "data: {\"choices\":[{\"delta\":{\"content\":\"\\ud83d\\ude00 a\\n\\\"b\\\"\"}}]}\n\n"u8.ToArray();

        Assert.Equal("😀 a\n\"b\"", Stream(sse));
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
}
