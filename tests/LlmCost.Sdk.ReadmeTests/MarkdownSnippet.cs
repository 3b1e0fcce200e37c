namespace LlmCost.Sdk.ReadmeTests;

/// <summary>
/// A fenced C# block of a Markdown file, whose info string says how it compiles (<c>```csharp compile: …</c>; GitHub and
/// NuGet read only the first word, the language): <c>program</c> (a whole <c>Program.cs</c>), or the declarations the
/// snippet uses without declaring them (<c>IServiceCollection services; string tenantId</c>), as a reader would have
/// them in their own code.
/// </summary>
public sealed record MarkdownSnippet(string File, int Line, string? Compile, string Code)
{
    public override string ToString() => $"{File}:{Line}";

    public static IReadOnlyList<MarkdownSnippet> Read(string root, string relativePath)
    {
        var lines = System.IO.File.ReadAllLines(Path.Combine(root, relativePath));
        var snippets = new List<MarkdownSnippet>();
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].Trim();
            if (!fence.StartsWith("```csharp", StringComparison.Ordinal))
            {
                continue;
            }

            var info = fence["```csharp".Length..];
            var at = info.IndexOf("compile:", StringComparison.Ordinal);
            var compile = at < 0 ? null : info[(at + "compile:".Length)..].Trim();

            var start = i;
            var code = new List<string>();
            for (i++; i < lines.Length && lines[i].TrimStart() != "```"; i++)
            {
                code.Add(lines[i]);
            }

            snippets.Add(new MarkdownSnippet(relativePath, start + 1, compile, string.Join('\n', code)));
        }

        return snippets;
    }
}
