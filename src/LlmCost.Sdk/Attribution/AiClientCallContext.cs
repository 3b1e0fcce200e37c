namespace LlmCost.Sdk;

/// <summary>
/// The handshake that prevents double counting when an AI-client decorator (LlmCost.Sdk.Extensions.AI) and the HTTP
/// handler both see one call: the decorator opens a context around the inner client's work; the HTTP handler, when it
/// tracks a request inside it, marks the context; the decorator then records nothing, because the HTTP record — read
/// from the provider's own bytes — is the more complete one. Calls that never reach a tracked HttpClient (another
/// transport, a local model) are recorded by the decorator.
/// </summary>
internal sealed class AiClientCallContext
{
    private static readonly AsyncLocal<AiClientCallContext?> CurrentContext = new();

    private int _trackedByHttp;

    /// <summary>Gets the context of the AI-client call in progress on this async flow.</summary>
    public static AiClientCallContext? Current => CurrentContext.Value;

    /// <summary>
    /// Gets the attribution the decorator gives this call (its per-call tags over the ambient scope over its default tags),
    /// or <see langword="null"/> when it adds nothing; the HTTP handler applies it below request tags, so the record it
    /// keeps is attributed as the decorator's would have been.
    /// </summary>
    public CostTags? Tags { get; init; }

    /// <summary>Gets a value indicating whether a tracked HttpClient has recorded a request of this call.</summary>
    public bool TrackedByHttp => Volatile.Read(ref _trackedByHttp) != 0;

    public void MarkTrackedByHttp() => Volatile.Write(ref _trackedByHttp, 1);

    /// <summary>Makes this context current until the returned scope is disposed (around each step of the inner client).</summary>
    public Scope Enter()
    {
        var previous = CurrentContext.Value;
        CurrentContext.Value = this;
        return new Scope(previous, entered: true);
    }

    /// <summary>
    /// Like <see cref="Enter"/>, but does nothing once the HTTP handler has marked the call: the decision is made, and
    /// each <see cref="AsyncLocal{T}"/> change allocates an execution context, so a long stream through a tracked
    /// HttpClient does not allocate per update.
    /// </summary>
    public Scope EnterUntilTracked() => TrackedByHttp ? default : Enter();

    /// <summary>Restores the previous context.</summary>
    public readonly struct Scope(AiClientCallContext? previous, bool entered) : IDisposable
    {
        public void Dispose()
        {
            if (entered)
            {
                CurrentContext.Value = previous;
            }
        }
    }
}
