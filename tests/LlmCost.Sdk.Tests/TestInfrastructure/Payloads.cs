namespace LlmCost.Sdk.Tests;

/// <summary>Real provider payloads from the API references (see Payloads/SOURCES.md).</summary>
internal static class Payloads
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Payloads", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    public static string Text(string name) => File.ReadAllText(Path(name));
}
