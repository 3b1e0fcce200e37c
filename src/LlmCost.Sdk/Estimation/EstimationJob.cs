namespace LlmCost.Sdk;

/// <summary>
/// One finished call that reported no usage, waiting for <see cref="UsageEstimator"/>: the call (everything but the
/// usage) and the text captured from its request and streamed response. The job owns the captures until it is done.
/// </summary>
internal sealed class EstimationJob
{
    /// <summary>Gets the finished call, written once its usage is estimated.</summary>
    public required CallObservation Call { get; init; }

    /// <summary>Gets the request's text, or <see langword="null"/> when none was captured.</summary>
    public TextCapture? Request { get; init; }

    /// <summary>Gets the streamed response's text, or <see langword="null"/> when none was captured.</summary>
    public TextCapture? Response { get; init; }

    /// <summary>Gets a value indicating whether the call is a chat (messages carry the per-message overhead).</summary>
    public bool Chat { get; init; }

    public void Release()
    {
        Request?.Release();
        Response?.Release();
    }
}
