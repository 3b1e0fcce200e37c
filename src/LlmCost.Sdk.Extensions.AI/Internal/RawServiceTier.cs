using System.ClientModel.Primitives;

namespace LlmCost.Sdk.Extensions.AI;

/// <summary>
/// Reads the served service tier from a response's <c>RawRepresentation</c>, which Microsoft.Extensions.AI's adapters
/// keep but do not map (the OpenAI adapter puts <c>service_tier</c> on its span only).
/// </summary>
/// <remarks>
/// The OpenAI SDK's response types (<c>ChatCompletion</c>, <c>StreamingChatCompletionUpdate</c>, Responses) implement
/// System.ClientModel's <see cref="IPersistableModel{T}"/>, so they can be written back to the provider's JSON without a
/// dependency on one OpenAI version and without reflection; the JSON is then read by the core's incremental reader with
/// the OpenAI mapping, the same code the HTTP handler uses. Other raw types give <see langword="null"/>.
/// </remarks>
internal static class RawServiceTier
{
    private static readonly ModelReaderWriterOptions Json = new("J");

    public static string? Read(object? rawRepresentation, PriceTable prices)
    {
        if (rawRepresentation is not IPersistableModel<object> model)
        {
            return null;
        }

        var usage = new UsageAccumulator(prices);
        var scanner = new JsonScanner(OpenAIUsageMapping.Instance, usage);
        try
        {
            scanner.Write(model.Write(Json).ToMemory().Span);
            scanner.Complete();
        }
        finally
        {
            scanner.Release();
        }

        return usage.ServiceTier;
    }
}
