using System.Net.Http.Json;
using LlmCost.Sdk;
using LlmCost.Sdk.OpenTelemetry.Sample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

// Console exporter by default; OTLP (a collector, Aspire dashboard, Jaeger, ...) when OTEL_EXPORTER_OTLP_ENDPOINT is set.
var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
var simulate = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OPENAI_API_KEY"));

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning).AddFilter("Microsoft.Hosting", LogLevel.Warning);
builder.Services.AddLlmCostTracking(o =>
{
    o.Environment = "sample";
    o.DefaultTags.Team = "support";
    o.Telemetry.IncludeCustomerInMetrics = true;   // a handful of tenants here; keep the cap for real traffic
    o.Telemetry.MaxMetricTagValues = 50;
})
.AddJsonLinesSink("costs/llm-costs.jsonl");   // the records themselves, beside the metrics (without a sink: warning 150)

var openai = builder.Services.AddHttpClient("openai", c => c.BaseAddress = new Uri("https://api.openai.com/v1/")).AddLlmCostTracking();
if (simulate)
{
    openai.ConfigurePrimaryHttpMessageHandler(() => new SimulatedOpenAIHandler());
}
else
{
    openai.ConfigureHttpClient(c => c.DefaultRequestHeaders.Authorization = new("Bearer", Environment.GetEnvironmentVariable("OPENAI_API_KEY")));
}

builder.Services.AddOpenTelemetry()
    .ConfigureResource(r => r.AddService("llmcost-otel-sample"))
    .WithMetrics(metrics =>
    {
        metrics.AddLlmCostInstrumentation();
        if (otlp)
        {
            metrics.AddOtlpExporter();
        }
        else
        {
            metrics.AddConsoleExporter();
        }
    })
    .WithTracing(tracing =>
    {
        tracing.AddSource(SampleTelemetry.Source.Name).AddLlmCostInstrumentation();
        if (otlp)
        {
            tracing.AddOtlpExporter();
        }
        else
        {
            tracing.AddConsoleExporter();
        }
    });

using var host = builder.Build();
await host.StartAsync();

var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("openai");
(string Feature, string Customer, string Prompt)[] work =
[
    ("ticket-triage", "acme", "Classify this support ticket: the invoice total looks wrong."),
    ("ticket-triage", "globex", "Classify this support ticket: cannot log in since the update."),
    ("reply-draft", "acme", "Draft a polite reply that explains how invoices are computed, with an example."),
];

foreach (var (feature, customer, prompt) in work)
{
    // An app span around the feature; the SDK's "chat gpt-4o-mini" span is its child and carries tokens and cost.
    using var activity = SampleTelemetry.Source.StartActivity(feature);
    using var scope = LlmCostScope.Begin(feature: feature, customer: customer);
    using var response = await client.PostAsJsonAsync("chat/completions", new
    {
        model = "gpt-4o-mini",
        messages = new[] { new { role = "user", content = prompt } },
    });
    await response.Content.ReadAsStringAsync();
}

await host.Services.GetRequiredService<ILlmCostTracker>().FlushAsync();
var stats = host.Services.GetRequiredService<ILlmCostTracker>().Statistics;
Console.WriteLine($"Recorded {stats.Queued} LLM calls ({(simulate ? "simulated provider" : "api.openai.com")}); exporting to {(otlp ? "OTLP" : "the console")}.");

await host.StopAsync();

internal static class SampleTelemetry
{
    public static readonly System.Diagnostics.ActivitySource Source = new("LlmCost.Sdk.OpenTelemetry.Sample");
}
