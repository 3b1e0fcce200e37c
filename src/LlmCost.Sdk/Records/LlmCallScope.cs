namespace LlmCost.Sdk;

/// <summary>Restores the previous <see cref="LlmCall"/> of an async flow when disposed (see <see cref="LlmCall.Enter"/>).</summary>
public readonly struct LlmCallScope : IDisposable, IEquatable<LlmCallScope>
{
    private readonly LlmCall? _previous;
    private readonly bool _entered;

    internal LlmCallScope(LlmCall? previous, bool entered)
    {
        _previous = previous;
        _entered = entered;
    }

    /// <summary>Compares two scopes.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> when they restore the same call.</returns>
    public static bool operator ==(LlmCallScope left, LlmCallScope right) => left.Equals(right);

    /// <summary>Compares two scopes.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(LlmCallScope left, LlmCallScope right) => !left.Equals(right);

    /// <summary>Restores the call that was current before <see cref="LlmCall.Enter"/>.</summary>
    public void Dispose()
    {
        if (_entered)
        {
            LlmCall.Restore(_previous);
        }
    }

    /// <inheritdoc />
    public bool Equals(LlmCallScope other) => ReferenceEquals(_previous, other._previous) && _entered == other._entered;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is LlmCallScope other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_previous, _entered);
}
