using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Fails start-up when the configuration given to <c>AddLlmCostTracking(IConfiguration)</c> would bind nothing or only
/// part of what it says: the whole configuration passed instead of its <c>LlmCost</c> section, a misspelled key, or a
/// key that moved to an options group. The configuration binder ignores such keys silently; the app would start and
/// track with defaults the user did not choose. Every message names the key.
/// </summary>
internal sealed class LlmCostConfigurationValidator : IValidateOptions<LlmCostOptions>
{
    /// <summary>Keys that moved into an options group before 1.0: named with their new place rather than as unknown.</summary>
    private static readonly Dictionary<string, string> Moved = new(StringComparer.OrdinalIgnoreCase)
    {
        ["QueueCapacity"] = "Pipeline:QueueCapacity",
        ["MaxBatchSize"] = "Pipeline:MaxBatchSize",
        ["BatchDelay"] = "Pipeline:BatchDelay",
        ["SinkMaxRetries"] = "Sinks:MaxRetries",
        ["SinkRetryDelay"] = "Sinks:RetryDelay",
        ["SinkQueueCapacity"] = "Sinks:QueueCapacity",
    };

    private readonly IReadOnlyList<LlmCostConfigurationSource> _sources;

    public LlmCostConfigurationValidator(IEnumerable<LlmCostConfigurationSource> sources) =>
        _sources = sources.DistinctBy(s => s.Configuration, ReferenceEqualityComparer.Instance).ToList();

    public ValidateOptionsResult Validate(string? name, LlmCostOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        foreach (var source in _sources)
        {
            Check(source.Configuration, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsRoot(IConfiguration configuration) =>
        configuration is IConfigurationRoot || configuration is IConfigurationSection { Path.Length: 0 };

    private static void Check(IConfiguration configuration, List<string> failures)
    {
        var root = IsRoot(configuration);
        if (root && configuration.GetSection("LlmCost").Exists())
        {
            failures.Add("AddLlmCostTracking(IConfiguration) was given the whole configuration, not its \"LlmCost\" section, so nothing would bind: "
                + "call AddLlmCostTracking(builder.Configuration.GetSection(\"LlmCost\")).");
            return;
        }

        if (root)
        {
            // A root built for the SDK alone holds option keys; an application's root (appsettings, every environment
            // variable) holds others: name a few of them, not hundreds.
            var known = typeof(LlmCostOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            known.Add(LlmBudgetTrackingBuilderExtensions.BudgetsSection);
            var unknown = configuration.GetChildren().Select(c => c.Key).Where(k => !known.Contains(k) && !Moved.ContainsKey(k)).ToList();
            if (unknown.Count > 0)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"AddLlmCostTracking(IConfiguration) was given a configuration root whose keys are not LlmCost options ({string.Join(", ", unknown.Take(5).Select(k => $"'{k}'"))}{(unknown.Count > 5 ? $" and {unknown.Count - 5} more" : string.Empty)}), so nothing would bind: call AddLlmCostTracking(builder.Configuration.GetSection(\"LlmCost\"))."));
                return;
            }
        }

        var prefix = configuration is IConfigurationSection section ? section.Path : string.Empty;
        CheckObject(configuration, typeof(LlmCostOptions), prefix, failures, topLevel: true);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The options types are kept whole by the configuration binder's generated code, which sets every property.")]
    private static void CheckObject(IConfiguration configuration, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, string path, List<string> failures, bool topLevel)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        foreach (var child in configuration.GetChildren())
        {
            var childPath = path.Length == 0 ? child.Key : path + ":" + child.Key;
            var property = Array.Find(properties, p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null && topLevel && string.Equals(child.Key, LlmBudgetTrackingBuilderExtensions.BudgetsSection, StringComparison.OrdinalIgnoreCase))
            {
                // LlmCost:Budgets:{name} binds LlmBudgetOptions (the guardrails), each budget checked key by key like the options.
                foreach (var budget in child.GetChildren())
                {
                    CheckObject(budget, typeof(LlmBudgetOptions), childPath + ":" + budget.Key, failures, topLevel: false);
                }

                continue;
            }

            if (property is null)
            {
                if (topLevel && Moved.TryGetValue(child.Key, out var moved))
                {
                    var newPath = path.Length == 0 ? moved : path + ":" + moved;
                    failures.Add($"Configuration key '{childPath}' is not an option any more: it moved to '{newPath}'.");
                }
                else
                {
                    failures.Add($"Configuration key '{childPath}' is not an option of {type.Name}; it would be ignored. Known keys here: {string.Join(", ", properties.Select(p => p.Name))}.");
                }

                continue;
            }

            CheckValue(child, property.PropertyType, childPath, failures);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "The options types are kept whole by the configuration binder's generated code, which sets every property.")]
    [UnconditionalSuppressMessage("Trimming", "IL2062", Justification = "The options types are kept whole by the configuration binder's generated code, which sets every property.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The options types are kept whole by the configuration binder's generated code, which sets every property.")]
    private static void CheckValue(IConfigurationSection section, Type type, string path, List<string> failures)
    {
        if (IsScalar(type))
        {
            return;
        }

        if (ElementType(type) is { } element)
        {
            foreach (var item in section.GetChildren())
            {
                CheckValue(item, element, path + ":" + item.Key, failures);
            }

            return;
        }

        if (type.IsClass)
        {
            CheckObject(section, type, path, failures, topLevel: false);
        }
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || type == typeof(Guid) || type == typeof(Uri);
    }

    /// <summary>The value type of a list or a string-keyed dictionary, whose children are indices or free keys.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        var arguments = type.GetGenericArguments();
        if (arguments.Length == 2 && (definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))
        {
            return arguments[1];
        }

        return arguments.Length == 1 && (definition == typeof(IList<>) || definition == typeof(List<>) || definition == typeof(ICollection<>)
            || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ISet<>))
            ? arguments[0]
            : null;
    }
}
