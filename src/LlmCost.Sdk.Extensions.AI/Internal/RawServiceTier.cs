using System.ClientModel.Primitives;
using System.Text.Json;

namespace LlmCost.Sdk.Extensions.AI;

/// <summary>
/// Reads the served service tier from a response's <c>RawRepresentation</c>, which Microsoft.Extensions.AI's adapters
/// keep but do not map (the OpenAI adapter puts <c>service_tier</c> on its span only).
/// </summary>
/// <remarks>
/// The OpenAI SDK's response types (<c>ChatCompletion</c>, <c>StreamingChatCompletionUpdate</c>, Responses) implement
/// System.ClientModel's <see cref="IPersistableModel{T}"/>, so they can be written back to the provider's JSON without a
/// dependency on one OpenAI version and without reflection; the top-level <c>service_tier</c> is then read from it.
/// Other raw types give <see langword="null"/>.
/// </remarks>
internal static class RawServiceTier
{
    private static readonly ModelReaderWriterOptions Json = new("J");

    public static string? Read(object? rawRepresentation)
    {
        if (rawRepresentation is not IPersistableModel<object> model)
        {
            return null;
        }

        var reader = new Utf8JsonReader(model.Write(Json).ToMemory().Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTier = reader.ValueTextEquals("service_tier"u8);
            reader.Read();
            if (isTier)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        return null;
    }
}
