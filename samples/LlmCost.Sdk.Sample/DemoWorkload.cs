using System.Globalization;
using System.Text;

namespace LlmCost.Sdk.Sample;

/// <summary>
/// The calls a small SaaS product might make in a few minutes: four features, owned by three teams, used by four customers.
/// </summary>
/// <remarks>
/// Each feature uses one provider and one style, so between them they cover OpenAI and Anthropic, streamed and not:
/// ticket-triage (OpenAI, JSON), chat-assistant (OpenAI, streamed), search-summaries (Anthropic, streamed) and
/// code-review (Anthropic, JSON, with a cached system prompt).
/// </remarks>
internal static class DemoWorkload
{
    /// <summary>A long, stable instruction block. OpenAI caches prompt prefixes of 1,024 tokens or more by itself.</summary>
    private static readonly string TriagePlaybook = LongInstructions(
        "You triage support tickets for a B2B billing product. Answer with JSON: category, priority (P1-P4), team, summary.",
        "Routing rule",
        count: 48);

    /// <summary>Review guidelines, marked for Anthropic's prompt cache: written once, then read at a tenth of the price.</summary>
    private static readonly string ReviewGuidelines = LongInstructions(
        "You review pull requests. Report bugs, security issues and missing tests, most serious first, with file and line.",
        "Guideline",
        count: 56);

    public static IReadOnlyList<PlannedCall> Calls { get; } =
    [
        TicketTriage("acme", "Invoice export fails with HTTP 500 since this morning's release. Finance is blocked."),
        SearchSummary("acme", "configure single sign-on with Okta and SCIM provisioning"),
        CodeReview("acme", "src/Billing/InvoiceExporter.cs", changedLines: 24),
        ChatAssistant("acme", "How do I rotate the API token used by our nightly sync job?"),
        TicketTriage("acme", "Two users see each other's dashboards after switching workspaces."),
        SearchSummary("acme", "webhook retries and idempotency keys"),
        CodeReview("acme", "src/Auth/TokenValidator.cs", changedLines: 40),
        TicketTriage("acme", "Typo on the pricing page: 'anual' should be 'annual'."),
        TicketTriage("globex", "CSV import silently drops rows that contain a semicolon in the address."),
        SearchSummary("globex", "data retention policy for deleted workspaces"),
        ChatAssistant("globex", "Summarise what changed in the last three invoices for account 4411."),
        TicketTriage("globex", "Our SAML certificate expires next week; how do we upload the new one without downtime?"),
        SearchSummary("globex", "rate limits per API key"),
        CodeReview("initech", "src/Reports/TpsReportGenerator.cs", changedLines: 64),
        SearchSummary("initech", "exporting reports to PDF with a cover sheet"),
        CodeReview("initech", "src/Reports/CoverSheet.cs", changedLines: 16),
        ChatAssistant("initech", "Draft a polite reply asking the customer for their workspace id."),
        TicketTriage("umbrella", "Audit log is missing entries for role changes made through the API."),
        SearchSummary("umbrella", "EU data residency and sub-processors"),
        ChatAssistant("umbrella", "Explain our uptime SLA in two sentences."),
    ];

    private static PlannedCall TicketTriage(string customer, string ticket) =>
        new("ticket-triage", "support", customer, LlmProvider.OpenAI, Streaming: false, TriagePlaybook, "Ticket: " + ticket, MaxOutputTokens: 150);

    // No team here: the call falls back to the default team of the "openai" HttpClient (see Program.cs).
    private static PlannedCall ChatAssistant(string customer, string question) =>
        new("chat-assistant", null, customer, LlmProvider.OpenAI, Streaming: true, "You are a concise in-app assistant.", question, MaxOutputTokens: 200);

    private static PlannedCall SearchSummary(string customer, string query) =>
        new("search-summaries", "search", customer, LlmProvider.Anthropic, Streaming: true,
            "Summarise the search results in three bullet points, citing the result numbers.",
            $"Query: {query}\n" + SearchResults(query),
            MaxOutputTokens: 300);

    private static PlannedCall CodeReview(string customer, string file, int changedLines) =>
        new("code-review", "dev-productivity", customer, LlmProvider.Anthropic, Streaming: false,
            ReviewGuidelines, Diff(file, changedLines), MaxOutputTokens: 600, CacheInstructions: true);

    private static string LongInstructions(string summary, string ruleName, int count)
    {
        var text = new StringBuilder(summary).AppendLine();
        for (var i = 1; i <= count; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{ruleName} {i}: when a request matches pattern {i}, check the account's plan, region and recent incidents before deciding.");
        }

        return text.ToString();
    }

    private static string SearchResults(string query)
    {
        var text = new StringBuilder();
        for (var i = 1; i <= 5; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"[{i}] Help centre article about {query}, section {i}: steps, limits and known issues.");
        }

        return text.ToString();
    }

    private static string Diff(string file, int changedLines)
    {
        var text = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"--- a/{file}\n+++ b/{file}\n@@ -10,{changedLines} +10,{changedLines} @@");
        for (var i = 0; i < changedLines; i++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"-        var line{i} = items[{i}].Price * items[{i}].Quantity;");
            text.AppendLine(CultureInfo.InvariantCulture, $"+        var line{i} = decimal.Round(items[{i}].Price * items[{i}].Quantity, 2);");
        }

        return text.ToString();
    }
}
