namespace LlmCost.Sdk;

/// <summary>
/// One finished call that reported no usage, waiting for <see cref="UsageEstimator"/>: the call (everything but the
/// usage) and the bytes captured from its request and streamed response. The job owns the captures until it is done.
/// </summary>
internal sealed class EstimationJob
{
    /// <summary>Gets the finished call, written once its usage is estimated.</summary>
    public required CallObservation Call { get; init; }

    /// <summary>Gets the request's bytes, or <see langword="null"/> when none was captured.</summary>
    public RawCapture? Request { get; init; }

    /// <summary>Gets the streamed response's bytes, or <see langword="null"/> when none was captured.</summary>
    public RawCapture? Response { get; init; }

    public void Release()
    {
        Request?.Release();
        Response?.Release();
    }
}
