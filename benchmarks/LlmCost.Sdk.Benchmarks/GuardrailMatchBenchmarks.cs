using BenchmarkDotNet.Attributes;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// The only work budgets add to a call none of them matches: the handler's check of each budget's scope against the
/// call's tags and provider (<c>BudgetGuard.Prepare</c> is this loop). Five budgets scoped to other features; the call
/// has feature, team, customer and environment tags. Isolated here because the end-to-end difference is far below the
/// noise of a loaded 2-core machine.
/// </summary>
[MemoryDiagnoser]
public class GuardrailMatchBenchmarks
{
    private static readonly LlmCostTags Call = new() { Feature = "ticket-triage", Team = "search", Customer = "acme", Environment = "production" };

    private CompiledBudget[] _budgets = null!;

    [GlobalSetup]
    public void Setup() => _budgets = [.. Enumerable.Range(0, 5).Select(i => new CompiledBudget("other-" + i, new LlmBudgetOptions
    {
        Feature = "feature-" + i,
        Customer = "*",
        Limit = 1m,
    }))];

    [Benchmark]
    public bool FiveBudgets_NoneMatching()
    {
        foreach (var budget in _budgets)
        {
            if (budget.Matches(Call, LlmProviders.OpenAI))
            {
                return true;
            }
        }

        return false;
    }
}
