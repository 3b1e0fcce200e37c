using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// What a pre-flight check reads from a request body: the model and the max-tokens field (its value and where its number
/// sits, so a ceiling can rewrite it and keep every other byte). Read with <see cref="Utf8JsonReader"/>; a body that is
/// not JSON yields what was found before the error.
/// </summary>
internal readonly record struct RequestShape(string? Model, long? MaxTokens, int MaxTokensStart, int MaxTokensLength, int ObjectStart)
{
    /// <summary>Top-level fields: OpenAI Chat Completions (<c>max_completion_tokens</c>, legacy <c>max_tokens</c>), Responses (<c>max_output_tokens</c>), Anthropic and OpenAI-compatible providers (<c>max_tokens</c>).</summary>
    private static ReadOnlySpan<byte> MaxTokensName => "max_tokens"u8;

    private static ReadOnlySpan<byte> MaxCompletionTokensName => "max_completion_tokens"u8;

    private static ReadOnlySpan<byte> MaxOutputTokensName => "max_output_tokens"u8;

    public static RequestShape Read(ReadOnlySpan<byte> body)
    {
        string? model = null;
        long? max = null;
        int start = -1, length = 0, objectStart = -1;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            objectStart = (int)reader.TokenStartIndex;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType == JsonTokenType.String ? reader.GetString() : model;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals(MaxTokensName) || reader.ValueTextEquals(MaxCompletionTokensName) || reader.ValueTextEquals(MaxOutputTokensName))
                {
                    reader.Read();
                    Number(ref reader, ref max, ref start, ref length);
                }
                else if (reader.ValueTextEquals("generationConfig"u8) || reader.ValueTextEquals("inferenceConfig"u8))
                {
                    // Gemini's generationConfig.maxOutputTokens, Bedrock Converse's inferenceConfig.maxTokens.
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var found = reader.ValueTextEquals("maxOutputTokens"u8) || reader.ValueTextEquals("maxTokens"u8);
                        reader.Read();
                        if (found)
                        {
                            Number(ref reader, ref max, ref start, ref length);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (or cut short): keep what was read.
        }

        return new RequestShape(model, max, start, length, objectStart);
    }

    private static void Number(ref Utf8JsonReader reader, ref long? max, ref int start, ref int length)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && !reader.HasValueSequence)
        {
            max = value;
            start = (int)reader.TokenStartIndex;
            length = reader.ValueSpan.Length;
        }
        else
        {
            reader.Skip();
        }
    }
}
