using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LlmCost.Sdk.ReadmeTests;

/// <summary>
/// Every C# snippet of the README files compiles against the packages it names, with the usings it shows plus the
/// implicit usings of a <c>dotnet new console</c> project — so a reader who pastes one gets code that builds.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    /// <summary>The Markdown files whose snippets are compiled, relative to the repository root.</summary>
    public static readonly string[] Files = ["README.md", "src/LlmCost.Sdk/README.md", "src/LlmCost.Sdk.Extensions.AI/README.md", "docs/ARCHITECTURE.md"];

    /// <summary>The implicit usings of a console project (Microsoft.NET.Sdk with ImplicitUsings enabled).</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    public static string Root { get; } = FindRoot();

    public static TheoryData<string> Snippets()
    {
        var data = new TheoryData<string>();
        foreach (var file in Files.Where(f => File.Exists(Path.Combine(Root, f))))
        {
            foreach (var snippet in MarkdownSnippet.Read(Root, file))
            {
                data.Add(snippet.ToString());
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_Compiles(string location)
    {
        var snippet = Find(location);
        Assert.True(snippet.Compile is not null, $"{location}: open the snippet with ```csharp compile: program, or ```csharp compile: <the declarations it uses>.");

        var source = snippet.Compile == "program" ? snippet.Code : WithDeclarations(snippet.Code, snippet.Compile!);
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [
                CSharpSyntaxTree.ParseText(ImplicitUsings, path: "GlobalUsings.cs"),
                CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: location),
            ],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS8321"] = ReportDiagnostic.Suppress, // a local function the snippet shows but does not call
                    ["CS0168"] = ReportDiagnostic.Suppress,
                    ["CS0219"] = ReportDiagnostic.Suppress,
                    ["OPENAI001"] = ReportDiagnostic.Suppress,
                }));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

        Assert.True(errors.Count == 0, $"{location} does not compile:\n{string.Join('\n', errors)}\n\n{source}");
    }

    [Fact]
    public void CorePackageReadme_QuickStart_IsTheRepositoryReadmes()
    {
        static string QuickStart(string file) => MarkdownSnippet.Read(Root, file).First(s => s.Compile == "program").Code;

        Assert.Equal(QuickStart("README.md"), QuickStart("src/LlmCost.Sdk/README.md"));
    }

    [Fact]
    public void PackageReadmes_HaveNoRepositoryRelativeLinks()
    {
        foreach (var readme in Directory.GetFiles(Path.Combine(Root, "src"), "README.md", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(readme);
            var relative = RelativeLink().Matches(text).Select(m => m.Value).ToList();
            Assert.True(relative.Count == 0, $"{readme} is packed into its NuGet package, where repository-relative links break: {string.Join(", ", relative)}");
        }
    }

    [Fact]
    public void EveryPackableProject_HasItsOwnReadme()
    {
        foreach (var project in Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            if (File.ReadAllText(project).Contains("<IsPackable>true</IsPackable>", StringComparison.Ordinal))
            {
                Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(project)!, "README.md")), $"{project} is packed: give it a README.md of its own.");
            }
        }
    }

    /// <summary>The snippet's using directives stay first; the declarations it relies on come next, then its code.</summary>
    private static string WithDeclarations(string code, string declarations)
    {
        var lines = code.Split('\n');
        var header = 0;
        while (header < lines.Length && IsHeaderLine(lines[header]))
        {
            header++;
        }

        var declared = string.Join('\n', declarations.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(d => d + " = default!;"));
        return string.Join('\n', lines.Take(header)) + "\n" + declared + "\n#line 1\n" + string.Join('\n', lines.Skip(header));
    }

    private static bool IsHeaderLine(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length == 0 || trimmed.StartsWith("//", StringComparison.Ordinal)
            || (trimmed.StartsWith("using ", StringComparison.Ordinal) && trimmed.EndsWith(';') && !trimmed.Contains('(', StringComparison.Ordinal) && !trimmed.StartsWith("using var ", StringComparison.Ordinal));
    }

    private static MarkdownSnippet Find(string location)
    {
        var file = location[..location.LastIndexOf(':')];
        return MarkdownSnippet.Read(Root, file).Single(s => s.ToString() == location);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First());
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LlmCost.Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with LlmCost.Sdk.sln) was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A Markdown link or image whose target is neither absolute nor an anchor: <c>](docs/x.md)</c>.</summary>
    [GeneratedRegex(@"\]\((?!https?://|#|mailto:)[^)]+\)")]
    private static partial Regex RelativeLink();
}
