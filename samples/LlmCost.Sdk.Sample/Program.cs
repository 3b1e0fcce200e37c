// LlmCost.Sdk sample: attribute every LLM call to a feature, team and customer, then report the spend.
// Offline by default (a built-in simulated provider answers); set OPENAI_API_KEY and/or ANTHROPIC_API_KEY
// to call the real APIs instead. See README.md.
using System.Globalization;
using LlmCost.Sdk;
using LlmCost.Sdk.Reporting;
using LlmCost.Sdk.Sample;
using LlmCost.Sdk.Sample.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

const string HtmlPath = "costs/report.html";
ProviderSetup[] providers = [ProviderSetup.OpenAI(), ProviderSetup.Anthropic()];

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning); // the console is for the report; the SDK's warnings still show

// 1. Cost tracking and where its records go. Every sink gets every record.
SampleStore.Reset(); // every run starts from an empty store, so the report below is the same each time
SampleStore.AddSink(                                                 // the durable store the report reads (SampleStore.cs)
    builder.Services.AddLlmCostTracking(o => o.Environment = "sample") // defaults to the host's environment name
        .AddInMemorySink());                                         // read back below to print this run's calls

// 2. One named HttpClient per provider, each with the cost-tracking handler in its pipeline.
builder.Services.AddSingleton<SimulatedPromptCache>();
foreach (var provider in providers)
{
    var client = builder.Services
        .AddHttpClient(provider.ClientName, provider.ConfigureClient)
        .AddLlmCostTracking(o => o.DefaultTags.Team = "platform"); // for calls whose scope names no team

    if (provider.IsSimulated)
    {
        // Replaces only the network: the SDK's handler still sees real-shaped requests and responses.
        client.ConfigurePrimaryHttpMessageHandler(services => new SimulatedLlmProvider(services.GetRequiredService<SimulatedPromptCache>()));
    }
}

using var host = builder.Build();
await host.StartAsync(); // validates the SDK's options and price table: bad configuration fails here, not inside a call

Console.WriteLine("LlmCost.Sdk sample");
foreach (var provider in providers)
{
    Console.WriteLine(provider.IsSimulated
        ? $"  {provider.ClientName,-9} simulated offline ({provider.Model}); set {provider.KeyVariable} to call the real API"
        : $"  {provider.ClientName,-9} real API ({provider.Model}), key from {provider.KeyVariable}");
}

Console.WriteLine();

// 3. The application's calls. A scope tags every LLM call made inside it, however deep in the call stack;
//    nothing is passed to the HttpClient or the request.
var caller = new ChatCaller(host.Services.GetRequiredService<IHttpClientFactory>(), providers);
var calls = DemoWorkload.Calls;
var failed = 0;
for (var i = 0; i < calls.Count; i++)
{
    var call = calls[i];
    var label = string.Create(CultureInfo.InvariantCulture,
        $"  [{i + 1,2}/{calls.Count}] {call.Feature,-16} {call.Customer,-9} {call.Provider,-9} {(call.Streaming ? "stream" : "json"),-6}");
    using (LlmCostScope.Begin(feature: call.Feature, team: call.Team, customer: call.Customer))
    {
        try
        {
            var reply = await caller.SendAsync(call);
            Console.WriteLine($"{label} {reply.Length,5} chars  \"{Preview(reply)}\"");
        }
        catch (HttpRequestException ex)
        {
            // A failed call is recorded too (with its status code and error type), just not priced.
            failed++;
            Console.WriteLine($"{label} failed: {ex.Message}");
        }
    }
}

Console.WriteLine();

// 4. Records are queued and written to the sinks in the background, off the call path.
//    FlushAsync waits until everything queued so far has reached every sink.
var tracker = host.Services.GetRequiredService<ILlmCostTracker>();
await tracker.FlushAsync();

var records = host.Services.GetRequiredService<InMemoryCostSink>().Records;
LlmCost.Sdk.Sample.CostReport.Print(records, Console.Out);
Console.WriteLine($"Records: {records.Count} for {calls.Count} calls.");
Console.WriteLine();

// 5. SIMULATED history, so the report has weeks to compare: five weeks of the same features' calls, made up from a fixed
//    seed (Simulation/SpendHistory.cs) and written through the same pipeline with ILlmCostTracker.Track.
var backfilled = await SpendHistory.BackfillAsync(tracker, TimeProvider.System.GetUtcNow(), days: 35);
await tracker.FlushAsync();
var stats = tracker.Statistics;
Console.WriteLine($"Simulated history: {backfilled} records over 35 days. Pipeline queued {stats.Queued}, wrote {stats.RecordsWritten} to both sinks, dropped {stats.DroppedQueueFull + stats.DroppedBySinks}.");
Console.WriteLine();

// 6. Where the money went: the report `llmcost report` prints, from the store, and the same as one HTML page.
var report = await CostReportBuilder.BuildAsync(SampleStore.OpenQuery(), new CostReportOptions { GroupBy = [CostDimension.Feature] });
Spectre.Console.AnsiConsole.Profile.Width = Math.Max(Spectre.Console.AnsiConsole.Profile.Width, 120); // readable in CI logs too
CostReportWriter.WriteTerminal(report, Spectre.Console.AnsiConsole.Console);
Directory.CreateDirectory(Path.GetDirectoryName(HtmlPath)!);
await using (var html = new StreamWriter(HtmlPath))
{
    CostReportWriter.WriteHtml(report, html);
}

Console.WriteLine($"Store: {Path.GetFullPath(SampleStore.Path)}");
Console.WriteLine($"HTML report: {Path.GetFullPath(HtmlPath)}");
Console.WriteLine($"Same report from the CLI: dotnet run --project src/LlmCost.Sdk.Cli -- report --db {SampleStore.Path} --html {HtmlPath}");

await GuardrailDemo.RunAsync(); // a budget refusing a call before it is sent (GuardrailDemo.cs)

await host.StopAsync(); // flushes anything still queued
return failed == 0 ? 0 : 1;

static string Preview(string reply)
{
    var line = reply.ReplaceLineEndings(" ").Trim();
    return line.Length <= 32 ? line : line[..29] + "...";
}
