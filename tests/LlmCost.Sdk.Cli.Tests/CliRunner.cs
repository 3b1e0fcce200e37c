using Microsoft.Extensions.Time.Testing;

namespace LlmCost.Sdk.Cli.Tests;

/// <summary>Runs <c>llmcost</c> in-process with captured output and a fixed clock, and holds the test's temp files.</summary>
internal sealed class CliRunner : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 18, 12, 0, 0, TimeSpan.Zero);

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("llmcost-cli-").FullName;

    public static string Payload(string name) => Path.Combine(AppContext.BaseDirectory, "Payloads", name);

    public string File(string name) => Path.Combine(Directory, name);

    public string WriteJsonl(string name, IEnumerable<CostRecord> records)
    {
        var path = File(name);
        System.IO.File.WriteAllLines(path, records.Select(r => r.ToJson()));
        return path;
    }

    public async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error, interactive: false, new FakeTimeProvider(Now), CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }

    public static CostRecord Record(string utc, decimal? cost, string model = "gpt-4o-2024-08-06", string provider = "openai", string? feature = "search", string? team = "core") => new()
    {
        Id = Guid.NewGuid(),
        Timestamp = DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture),
        Provider = provider,
        Operation = "chat",
        Model = model,
        Tags = new LlmCostTags { Feature = feature, Team = team, Customer = "acme", Environment = "production" },
        Usage = new TokenUsage { InputTokens = 1000, OutputTokens = 100, Source = UsageSource.Provider },
        Cost = cost is { } total ? new CostBreakdown { Input = total, Total = total } : null,
    };

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
