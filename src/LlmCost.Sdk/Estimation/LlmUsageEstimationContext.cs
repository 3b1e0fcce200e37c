namespace LlmCost.Sdk;

/// <summary>
/// One call whose response reported no usage, handed to <see cref="ILlmUsageEstimator.Estimate"/>: what is known of it and
/// the raw bytes captured from its request body and its streamed response, each up to a cap.
/// </summary>
/// <remarks>
/// The byte buffers are pooled: they are valid only during <see cref="ILlmUsageEstimator.Estimate"/> and must not be kept.
/// Prompt and completion text exist only there: they are never stored or logged by the SDK.
/// </remarks>
public sealed class LlmUsageEstimationContext
{
    /// <summary>Gets the provider, as an OpenTelemetry <c>gen_ai.provider.name</c> value (<see cref="LlmProviders"/>).</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the operation, as an OpenTelemetry <c>gen_ai.operation.name</c> value (<see cref="LlmOperations"/>).</summary>
    public required string Operation { get; init; }

    /// <summary>Gets the wire format of the bodies.</summary>
    public LlmApiFormat Format { get; init; }

    /// <summary>Gets the model the response named, if any.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the model the request asked for, if known.</summary>
    public string? RequestModel { get; init; }

    /// <summary>Gets the start of the request body as sent (JSON, UTF-8), up to the cap.</summary>
    public ReadOnlyMemory<byte> RequestBody { get; init; }

    /// <summary>Gets the length of the whole request body; larger than <see cref="RequestBody"/> when the cap cut it.</summary>
    public long RequestBodyLength { get; init; }

    /// <summary>Gets the start of the streamed response as received (the raw <c>text/event-stream</c> bytes), up to the cap.</summary>
    public ReadOnlyMemory<byte> ResponseBody { get; init; }

    /// <summary>Gets the length of the whole response body read; larger than <see cref="ResponseBody"/> when the cap cut it.</summary>
    public long ResponseBodyLength { get; init; }
}
