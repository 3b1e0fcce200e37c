using System.Diagnostics;

namespace LlmCost.Sdk;

/// <summary>What is known about one finished LLM call, from whichever layer observed it (HTTP or an AI client).</summary>
internal readonly record struct LlmCallFacts
{
    public required string Provider { get; init; }

    public required string Operation { get; init; }

    public string? Model { get; init; }

    public string? RequestModel { get; init; }

    public bool Streaming { get; init; }

    public string? ServiceTier { get; init; }

    /// <summary>Gets where the call was served (a Bedrock region or geography, a Vertex AI location), when the URL says.</summary>
    public string? Region { get; init; }

    /// <summary>Gets the cost the provider reported itself (OpenRouter), which the record keeps instead of a table price.</summary>
    public decimal? ReportedCost { get; init; }

    public int? StatusCode { get; init; }

    public string? ErrorType { get; init; }

    public DateTimeOffset Timestamp { get; init; }

    public TimeSpan Duration { get; init; }

    public CostTags Tags { get; init; }

    public TokenUsage Usage { get; init; }

    /// <summary>
    /// Gets the span that gets this call's usage and cost attributes: the SDK's own span on the HTTP path, or a span an
    /// AI-client decorator picks. When <see langword="null"/>, an AI-client call tags <see cref="Activity.Current"/> if it is
    /// a GenAI span (the AI client's, such as Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c> span) and an HTTP call tags nothing.
    /// </summary>
    public Activity? Activity { get; init; }

    /// <summary>Gets a value indicating whether the HTTP handler observed the call (rather than an AI-client decorator).</summary>
    public bool FromHttp { get; init; }
}
