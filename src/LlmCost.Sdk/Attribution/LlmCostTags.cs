using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace LlmCost.Sdk;

/// <summary>
/// The attribution of an LLM call: the feature, team, customer and environment that caused it, plus any custom tags.
/// The one tag type of the SDK: what configuration sets and what every <see cref="CostRecord"/> carries.
/// </summary>
/// <remarks>
/// <para>
/// Used for <see cref="LlmCostOptions.DefaultTags"/>, for client-level defaults
/// (<see cref="LlmCostClientOptions.DefaultTags"/>), for per-request tags
/// (<see cref="LlmCostHttpRequestMessageExtensions.SetLlmCostTags(HttpRequestMessage, LlmCostTags)"/>) and in
/// <see cref="CostRecord.Tags"/>, <see cref="LlmCostScope.Tags"/> and <see cref="LlmCall.Tags"/>.
/// Values that are <see langword="null"/> are filled from the next, less specific, source:
/// request tags, then the ambient <see cref="LlmCostScope"/>, then client defaults, then <see cref="LlmCostOptions"/>.
/// </para>
/// <para>
/// An instance is mutable until <see cref="MakeReadOnly"/> is called (as <c>JsonSerializerOptions</c> is); after that every
/// setter, and every change to <see cref="Custom"/>, throws <see cref="InvalidOperationException"/>. The tags the SDK hands
/// out (in records, scopes and calls) are read-only; to change them, copy them first with
/// <see cref="LlmCostTags(LlmCostTags)"/>. The SDK copies tags you pass in that are not read-only, so changing your
/// instance afterwards never changes a call already made.
/// </para>
/// <para>
/// Equality is by value: the four standard tags and the custom pairs (ordinal keys and values), whether read-only or not.
/// Hashing a mutable instance (as a dictionary key, say) and then changing it is the caller's bug, as with any mutable key.
/// A read-only instance is thread-safe; a mutable one is not thread-safe to change.
/// </para>
/// </remarks>
public sealed class LlmCostTags : IEquatable<LlmCostTags>
{
    /// <summary>
    /// The key under which per-request tags are stored in <see cref="HttpRequestMessage.Options"/>.
    /// </summary>
    public static readonly HttpRequestOptionsKey<LlmCostTags> RequestOptionsKey = new("LlmCost.Tags");

    /// <summary>Gets a read-only instance with no tags.</summary>
    public static LlmCostTags Empty { get; } = new(null, null, null, null, LlmCostCustomTags.Empty);

    private string? _feature;
    private string? _team;
    private string? _customer;
    private string? _environment;
    private LlmCostCustomTags? _custom;
    private volatile bool _readOnly;

    /// <summary>Initializes a new, mutable instance with no tags.</summary>
    public LlmCostTags()
    {
    }

    /// <summary>Initializes a new, mutable instance with a copy of the tags of <paramref name="tags"/>.</summary>
    /// <param name="tags">The tags to copy (read-only or not); later changes to either instance do not change the other.</param>
    /// <example>
    /// <code>
    /// var changed = new LlmCostTags(record.Tags) { Team = "platform" };
    /// </code>
    /// </example>
    public LlmCostTags(LlmCostTags tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        _feature = tags._feature;
        _team = tags._team;
        _customer = tags._customer;
        _environment = tags._environment;
        if (tags._custom is { Count: > 0 } custom)
        {
            _custom = new LlmCostCustomTags(custom);
        }
    }

    /// <summary>Initializes a read-only instance that owns <paramref name="custom"/> (already read-only).</summary>
    private LlmCostTags(string? feature, string? team, string? customer, string? environment, LlmCostCustomTags custom)
    {
        _feature = feature;
        _team = team;
        _customer = customer;
        _environment = environment;
        _custom = custom;
        _readOnly = true;
    }

    /// <summary>Gets or sets the product feature that made the call, such as <c>ticket-triage</c>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    /// <exception cref="InvalidOperationException">The instance is read-only (<see cref="IsReadOnly"/>).</exception>
    public string? Feature
    {
        get => _feature;
        set
        {
            ThrowIfReadOnly();
            _feature = value;
        }
    }

    /// <summary>Gets or sets the team that owns the call.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    /// <exception cref="InvalidOperationException">The instance is read-only (<see cref="IsReadOnly"/>).</exception>
    public string? Team
    {
        get => _team;
        set
        {
            ThrowIfReadOnly();
            _team = value;
        }
    }

    /// <summary>Gets or sets the customer or tenant on whose behalf the call was made.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    /// <exception cref="InvalidOperationException">The instance is read-only (<see cref="IsReadOnly"/>).</exception>
    public string? Customer
    {
        get => _customer;
        set
        {
            ThrowIfReadOnly();
            _customer = value;
        }
    }

    /// <summary>Gets or sets the deployment environment, such as <c>production</c>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    /// <exception cref="InvalidOperationException">The instance is read-only (<see cref="IsReadOnly"/>).</exception>
    public string? Environment
    {
        get => _environment;
        set
        {
            ThrowIfReadOnly();
            _environment = value;
        }
    }

    /// <summary>Gets the custom tags written into a record's <c>tags</c> beside the four standard ones.</summary>
    /// <value>
    /// An empty dictionary with ordinal (case-sensitive) keys by default. It also implements
    /// <see cref="IReadOnlyDictionary{TKey, TValue}"/>; when this instance is read-only, changing it throws
    /// <see cref="InvalidOperationException"/>.
    /// </value>
    public IDictionary<string, string> Custom => CustomTags;

    /// <summary>Gets a value indicating whether this instance is read-only (see <see cref="MakeReadOnly"/>).</summary>
    public bool IsReadOnly => _readOnly;

    /// <summary>The custom tags, typed for enumeration without boxing; never <see langword="null"/>.</summary>
    internal LlmCostCustomTags CustomTags
    {
        get
        {
            if (_custom is { } custom)
            {
                return custom;
            }

            if (_readOnly)
            {
                return LlmCostCustomTags.Empty;
            }

            // Made on first use, so tags without custom ones cost one object; the race is between equal empty dictionaries.
            var created = new LlmCostCustomTags();
            return Interlocked.CompareExchange(ref _custom, created, null) ?? created;
        }
    }

    /// <summary>Gets the custom tags when any dictionary was made for them, without making one.</summary>
    internal LlmCostCustomTags? CustomTagsOrNull => _custom;

    /// <summary>Gets a value indicating whether no tag is set.</summary>
    internal bool IsEmpty =>
        _feature is null && _team is null && _customer is null && _environment is null && (_custom is null || _custom.Count == 0);

    /// <summary>
    /// Makes this instance read-only: from now on every setter, and every change to <see cref="Custom"/>, throws
    /// <see cref="InvalidOperationException"/>. Calling it again does nothing.
    /// </summary>
    /// <returns>This instance, for chaining.</returns>
    public LlmCostTags MakeReadOnly()
    {
        if (!_readOnly)
        {
            _custom?.MakeReadOnly();
            _readOnly = true;
        }

        return this;
    }

    /// <summary>Creates a read-only instance that takes ownership of <paramref name="custom"/> (not copied; the caller drops it).</summary>
    internal static LlmCostTags CreateReadOnly(string? feature, string? team, string? customer, string? environment, Dictionary<string, string>? custom)
    {
        var customTags = custom is null || custom.Count == 0 ? LlmCostCustomTags.Empty : LlmCostCustomTags.ReadOnly(custom);
        return feature is null && team is null && customer is null && environment is null && customTags.Count == 0
            ? Empty
            : new LlmCostTags(feature, team, customer, environment, customTags);
    }

    /// <summary>Creates a read-only instance that shares <paramref name="custom"/>, which must already be read-only.</summary>
    internal static LlmCostTags CreateReadOnly(string? feature, string? team, string? customer, string? environment, LlmCostCustomTags custom)
    {
        System.Diagnostics.Debug.Assert(custom.IsReadOnly, "Shared custom tags must be read-only.");
        return feature is null && team is null && customer is null && environment is null && custom.Count == 0
            ? Empty
            : new LlmCostTags(feature, team, customer, environment, custom);
    }

    /// <summary>
    /// Returns this instance when it is read-only, otherwise a read-only copy (<see cref="Empty"/> when no tag is set):
    /// the form the SDK keeps, so later changes to the caller's instance never reach a call already made.
    /// </summary>
    internal LlmCostTags ToReadOnly() => _readOnly
        ? this
        : CreateReadOnly(_feature, _team, _customer, _environment, _custom is { Count: > 0 } custom ? LlmCostCustomTags.ReadOnlyCopy(custom) : LlmCostCustomTags.Empty);

    /// <inheritdoc />
    public bool Equals([NotNullWhen(true)] LlmCostTags? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null
            && string.Equals(_feature, other._feature, StringComparison.Ordinal)
            && string.Equals(_team, other._team, StringComparison.Ordinal)
            && string.Equals(_customer, other._customer, StringComparison.Ordinal)
            && string.Equals(_environment, other._environment, StringComparison.Ordinal)
            && LlmCostCustomTags.ContentEquals(_custom, other._custom);
    }

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => Equals(obj as LlmCostTags);

    /// <inheritdoc />
    /// <remarks>Computed from the current values: do not change an instance while it is a key of a hashed collection.</remarks>
    public override int GetHashCode() => HashCode.Combine(_feature, _team, _customer, _environment, LlmCostCustomTags.ContentHashCode(_custom));

    /// <summary>Returns the tags as text, for logs and test failures: <c>{ Feature = a, Team = b, ..., Custom = { k = v } }</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("{ Feature = ").Append(_feature)
            .Append(", Team = ").Append(_team)
            .Append(", Customer = ").Append(_customer)
            .Append(", Environment = ").Append(_environment);
        if (_custom is { Count: > 0 } custom)
        {
            text.Append(", Custom = {");
            var first = true;
            foreach (var (key, value) in custom)
            {
                text.Append(first ? " " : ", ").Append(key).Append(" = ").Append(value);
                first = false;
            }

            text.Append(" }");
        }

        return text.Append(" }").ToString();
    }

    private void ThrowIfReadOnly()
    {
        if (_readOnly)
        {
            ThrowReadOnly();
        }
    }

    [DoesNotReturn]
    internal static void ThrowReadOnly() => throw new InvalidOperationException(
        "These LlmCostTags are read-only: they belong to a record, a scope or a call (or MakeReadOnly was called). "
        + "Copy them first with new LlmCostTags(tags) and change the copy.");
}
