namespace LlmCost.Sdk;

/// <summary>What is known about one finished LLM call, from whichever layer observed it (HTTP or an AI client).</summary>
internal readonly record struct LlmCallFacts
{
    public required string Provider { get; init; }

    public required string Operation { get; init; }

    public string? Model { get; init; }

    public string? RequestModel { get; init; }

    public bool Streaming { get; init; }

    public int? StatusCode { get; init; }

    public string? ErrorType { get; init; }

    public DateTimeOffset Timestamp { get; init; }

    public TimeSpan Duration { get; init; }

    public CostTags Tags { get; init; }

    public TokenUsage Usage { get; init; }
}
