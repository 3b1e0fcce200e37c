using System.Globalization;
using System.Text;
using LlmCost.Sdk.Sample.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Sample;

/// <summary>
/// A hard cap refusing a call before it is sent: a daily budget of $0.001 on the "experiment" feature, against the
/// simulated provider (offline, always). The first call fits; the second would go over, so it never leaves the app.
/// </summary>
internal static class GuardrailDemo
{
    public static async Task RunAsync()
    {
        var services = new ServiceCollection();
        services.AddLlmCostTracking(o => o.Environment = "sample")
            .AddInMemorySink()
            .AddBudget("experiment-daily", o =>
            {
                o.Feature = "experiment";
                o.Window = "Day";
                o.Limit = 0.001m;
                o.Enforcement = LlmBudgetEnforcement.Refuse;
            });
        await using var provider = services.BuildServiceProvider();
        var tracker = provider.GetRequiredService<ILlmCostTracker>();
        var handler = tracker.CreateHandler();
        handler.InnerHandler = new SimulatedLlmProvider(new SimulatedPromptCache());
        using var http = new HttpClient(handler);

        Console.WriteLine("Guardrails: budget 'experiment-daily' refuses calls that would take the feature over $0.001 today");
        using var scope = LlmCostScope.Begin(feature: "experiment");
        for (var i = 1; i <= 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.openai.com/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Draft a haiku about budgets."}],"max_completion_tokens":1000}""", Encoding.UTF8, "application/json"),
            };
            try
            {
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsStringAsync();
                await tracker.FlushAsync(); // the record settles the call's reservation to its real cost
                Console.WriteLine($"  call {i}: sent ({(int)response.StatusCode})");
            }
            catch (LlmBudgetExceededException refused)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  call {i}: refused before sending by '{refused.BudgetName}': spent {refused.Spent:0.######} of {refused.Limit} USD, this call could cost up to {refused.EstimatedCost:0.######} USD"));
            }
        }

        Console.WriteLine();
    }
}
