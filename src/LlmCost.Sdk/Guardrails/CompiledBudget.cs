using System.Globalization;
using System.Text;

namespace LlmCost.Sdk;

/// <summary>
/// A validated <see cref="LlmBudgetOptions"/> in the form the call path uses: scope fields to compare, the window, the
/// thresholds. Matching a call without its model (<see cref="Matches"/>) compares a few strings and allocates nothing.
/// </summary>
internal sealed class CompiledBudget
{
    private static readonly decimal[] DefaultThresholds = [0.5m, 0.8m, 1.0m];

    private readonly string? _feature;
    private readonly string? _team;
    private readonly string? _customer;
    private readonly string? _environment;
    private readonly string? _provider;
    private readonly string? _model;
    private readonly KeyValuePair<string, string>[] _tags;
    private readonly bool _perValue;
    private BudgetScope? _fixedScope;
    private BudgetWindow? _window;

    public CompiledBudget(string name, LlmBudgetOptions options)
    {
        Name = name;
        Options = options;
        _feature = options.Feature;
        _team = options.Team;
        _customer = options.Customer;
        _environment = options.Environment;
        _provider = options.Provider;
        _model = options.Model;
        _tags = [.. options.Tags];
        (WindowKind, Rolling) = ParseWindow(options.Window) ?? (BudgetWindowKind.Day, TimeSpan.Zero);
        Zone = FindZone(options.TimeZone) ?? TimeZoneInfo.Utc;
        Thresholds = options.AlertThresholds is { } t ? [.. t.Order()] : DefaultThresholds;
        Enforces = options.Enforcement == LlmBudgetEnforcement.Refuse;
        CountsSpend = options.Limit is not null || options.TokenLimit is not null || options.AnomalyFactor is not null;
        NeedsPreflight = (Enforces && (options.Limit is not null || options.TokenLimit is not null))
            || options.MaxOutputTokens is not null || options.RequestsPerWindow is not null || options.TokensPerWindow is not null
            || options.LoopThreshold is not null;
        _perValue = new[] { _feature, _team, _customer, _environment, _provider, _model }.Concat(_tags.Select(t => t.Value)).Any(v => v == LlmBudgetOptions.EachValue);
    }

    public string Name { get; }

    public LlmBudgetOptions Options { get; }

    public BudgetWindowKind WindowKind { get; }

    public TimeSpan Rolling { get; }

    public TimeZoneInfo Zone { get; }

    public IReadOnlyList<decimal> Thresholds { get; }

    public bool Enforces { get; }

    /// <summary>Gets a value indicating whether the budget reserves and settles spend (it has a limit or an anomaly alert).</summary>
    public bool CountsSpend { get; }

    /// <summary>
    /// Gets a value indicating whether a call in scope must be checked before it is sent: the budget may refuse it (a hard
    /// cap), clamp it (a ceiling), rate-limit it or count its body (loops). A warn-only budget needs only the call's record.
    /// </summary>
    public bool NeedsPreflight { get; }

    public bool NeedsModel => _model is not null;

    /// <summary>Whether a call with these tags, to this provider, is in scope (the model is checked later, from the body).</summary>
    public bool Matches(LlmCostTags tags, string provider) =>
        Field(_feature, tags.Feature) && Field(_team, tags.Team) && Field(_customer, tags.Customer)
        && Field(_environment, tags.Environment) && Field(_provider, provider) && Tags(tags);

    /// <summary>Whether a call with these tags may be in scope, whatever its provider (a check that needs no endpoint match).</summary>
    public bool MatchesTags(LlmCostTags tags) =>
        Field(_feature, tags.Feature) && Field(_team, tags.Team) && Field(_customer, tags.Customer)
        && Field(_environment, tags.Environment) && Tags(tags);

    public bool MatchesModel(string? model) =>
        _model is null || (model is not null && (_model == LlmBudgetOptions.EachValue || string.Equals(_model, model, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The scope of a call: the budget's name and the call's values of its <c>*</c> fields (a store key), and the fields with values for alerts and exceptions.</summary>
    public BudgetScope ScopeOf(LlmCostTags tags, string provider, string? model)
    {
        if (!_perValue)
        {
            // Without '*' fields every call in scope has the same scope: built once.
            return _fixedScope ??= Build(tags, provider, model);
        }

        return Build(tags, provider, model);
    }

    /// <summary>The window at <paramref name="now"/>; the last one is reused while <paramref name="now"/> is in its current bucket.</summary>
    public BudgetWindow WindowAt(DateTimeOffset now)
    {
        var window = Volatile.Read(ref _window);
        if (window is null || now < window.CurrentFrom || now >= window.End)
        {
            window = BudgetWindow.At(WindowKind, Rolling, Zone, now);
            Volatile.Write(ref _window, window);
        }

        return window;
    }

    private BudgetScope Build(LlmCostTags tags, string provider, string? model)
    {
        var key = new StringBuilder(Name);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        Add("feature", _feature, tags.Feature);
        Add("team", _team, tags.Team);
        Add("customer", _customer, tags.Customer);
        Add("environment", _environment, tags.Environment);
        Add("provider", _provider, provider);
        Add("model", _model, model?.ToLowerInvariant());
        foreach (var (tag, expected) in _tags)
        {
            Add("tag." + tag, expected, tags.CustomTags.TryGetValue(tag, out var v) ? v : null);
        }

        return new BudgetScope(this, key.ToString(), values.AsReadOnly());

        void Add(string field, string? expected, string? actual)
        {
            if (expected is null)
            {
                return;
            }

            values[field] = actual ?? expected;
            if (expected == LlmBudgetOptions.EachValue)
            {
                // Length-prefixed, so no value can be made to look like another field.
                key.Append('|').Append(field).Append('=').Append(actual?.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(actual);
            }
        }
    }

    public static (BudgetWindowKind Kind, TimeSpan Rolling)? ParseWindow(string? window)
    {
        if (string.IsNullOrWhiteSpace(window))
        {
            return null;
        }

        if (Enum.TryParse<BudgetWindowKind>(window, ignoreCase: true, out var kind) && kind != BudgetWindowKind.Rolling && !char.IsDigit(window[0]))
        {
            return (kind, TimeSpan.Zero);
        }

        return TimeSpan.TryParse(window, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? (BudgetWindowKind.Rolling, span)
            : null;
    }

    public static TimeZoneInfo? FindZone(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Utc;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
    }

    private static bool Field(string? expected, string? actual) =>
        expected is null || (actual is not null && (ReferenceEquals(expected, LlmBudgetOptions.EachValue) || expected == LlmBudgetOptions.EachValue || string.Equals(expected, actual, StringComparison.Ordinal)));

    private bool Tags(LlmCostTags tags)
    {
        foreach (var (tag, expected) in _tags)
        {
            if (!Field(expected, tags.CustomTags.TryGetValue(tag, out var actual) ? actual : null))
            {
                return false;
            }
        }

        return true;
    }
}
