namespace LlmCost.Sdk.Extensions.AI.Tests;

/// <summary>Real provider payloads from the API references (linked from tests/LlmCost.Sdk.Tests/Payloads, see SOURCES.md there).</summary>
internal static class Payloads
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Payloads", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    public static string MediaType(string name) => name.EndsWith(".sse", StringComparison.Ordinal) ? "text/event-stream" : "application/json";
}
