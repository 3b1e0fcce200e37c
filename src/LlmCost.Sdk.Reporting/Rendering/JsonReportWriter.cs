using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmCost.Sdk.Reporting;

/// <summary>The JSON output: the whole <see cref="CostReport"/>, camelCase, money as exact JSON numbers, dimensions as their record names.</summary>
internal static class JsonReportWriter
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Task WriteAsync(CostReport report, Stream stream, CancellationToken cancellationToken) =>
        JsonSerializer.SerializeAsync(stream, report, Options, cancellationToken);
}
