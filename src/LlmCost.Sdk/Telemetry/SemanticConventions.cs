namespace LlmCost.Sdk;

/// <summary>
/// Names, units and bucket boundaries of the OpenTelemetry GenAI semantic conventions v1.41, as
/// Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c> emits them, plus the provisional cost names.
/// </summary>
internal static class SemanticConventions
{
    public const string TokenUnit = "{token}";
    public const string SecondsUnit = "s";

    /// <summary>ISO 4217 code as the unit, so a Prometheus exporter names the series <c>llmcost_cost_USD_total</c>.</summary>
    public const string CostUnit = "USD";

    public const string TokenUsageName = "gen_ai.client.token.usage";
    public const string TokenUsageDescription = "Measures number of input and output tokens used";
    public const string OperationDurationName = "gen_ai.client.operation.duration";
    public const string OperationDurationDescription = "Measures the duration of a GenAI operation";
    public const string CostDescription = "Cost of LLM calls, priced from the provider-reported (or estimated) usage";

    public const string ErrorType = "error.type";
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string TokenType = "gen_ai.token.type";
    public const string TokenTypeInput = "input";
    public const string TokenTypeOutput = "output";

    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string CacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
    public const string CacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";
    public const string ReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";

    // Provisional: open-telemetry/semantic-conventions-genai#443 (gen_ai.usage.cost.*), not in a released convention.
    public const string CostAmount = "gen_ai.usage.cost.amount";
    public const string CostCurrency = "gen_ai.usage.cost.currency";
    public const string CostSource = "gen_ai.usage.cost.source";

    /// <summary>The proposal's value for a cost computed by the recorder from token counts and its own price data.</summary>
    public const string CostSourceLocal = "local";

    public const string OtherValue = "other";

    public static readonly double[] OperationDurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    public static readonly long[] TokenUsageBuckets = [1, 4, 16, 64, 256, 1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864];
}
