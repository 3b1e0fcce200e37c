using System.Globalization;
using System.Text.Json;
using LlmCost.Sdk.Reporting;

namespace LlmCost.Sdk.Cli;

/// <summary>Parses the values of options into the report's types, with messages that say what was expected.</summary>
internal static class Arguments
{
    private static readonly Dictionary<string, CostDimension> DimensionNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["provider"] = CostDimension.Provider,
        ["model"] = CostDimension.Model,
        ["feature"] = CostDimension.Feature,
        ["team"] = CostDimension.Team,
        ["customer"] = CostDimension.Customer,
        ["environment"] = CostDimension.Environment,
    };

    public static string DimensionList => string.Join(", ", DimensionNames.Keys);

    public static DateOnly? Date(string? value, string option)
    {
        if (value is null)
        {
            return null;
        }

        return DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new CliException(ExitCodes.UsageError, $"{option}: '{value}' is not an ISO date (yyyy-MM-dd, such as 2026-11-01).");
    }

    public static TimeZoneInfo TimeZone(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Equals("UTC", StringComparison.OrdinalIgnoreCase))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new CliException(ExitCodes.UsageError, $"--time-zone: '{id}' is not a known IANA time zone id (such as Europe/Berlin or America/Los_Angeles).");
        }
        catch (InvalidTimeZoneException ex)
        {
            throw new CliException(ExitCodes.UsageError, $"--time-zone: '{id}' cannot be read: {ex.Message}");
        }
    }

    public static CostDimension Dimension(string value, string option) =>
        DimensionNames.TryGetValue(value.Trim(), out var dimension)
            ? dimension
            : throw new CliException(ExitCodes.UsageError, $"{option}: '{value.Trim()}' is not a dimension; use {DimensionList}.");

    public static IReadOnlyList<CostDimension> Dimensions(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [CostDimension.Feature];
        }

        var dimensions = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Dimension(v, option)).ToList();
        if (dimensions.Distinct().Count() != dimensions.Count)
        {
            throw new CliException(ExitCodes.UsageError, $"{option}: '{value}' names a dimension twice.");
        }

        return dimensions;
    }

    /// <summary>
    /// Reads fixed cost lines: <c>{"fixedCosts":[{"name":"Seats","monthlyAmount":3000,"scope":{"team":"support"}}]}</c>,
    /// or the array alone.
    /// </summary>
    public static IReadOnlyList<FixedCostLine> FixedCosts(string? path)
    {
        if (path is null)
        {
            return [];
        }

        InputOptions.RequireFile(path, "--fixed-costs");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var lines = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("fixedCosts", out var array) ? array : root;
            if (lines.ValueKind != JsonValueKind.Array)
            {
                throw new CliException(ExitCodes.InputError, $"--fixed-costs: '{path}' must hold an array of lines or an object with a 'fixedCosts' array.");
            }

            var result = new List<FixedCostLine>();
            var index = 0;
            foreach (var line in lines.EnumerateArray())
            {
                index++;
                var name = line.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw new CliException(ExitCodes.InputError, $"--fixed-costs: line {index} has no 'name'.");
                if (!line.TryGetProperty("monthlyAmount", out var a) || a.ValueKind != JsonValueKind.Number || !a.TryGetDecimal(out var amount) || amount < 0)
                {
                    throw new CliException(ExitCodes.InputError, $"--fixed-costs: line '{name}' needs a non-negative number 'monthlyAmount' (USD per month).");
                }

                var scope = new Dictionary<CostDimension, string>();
                if (line.TryGetProperty("scope", out var s) && s.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in s.EnumerateObject())
                    {
                        scope[Dimension(property.Name, $"--fixed-costs ('{name}' scope)")] = property.Value.GetString() ?? string.Empty;
                    }
                }

                result.Add(new FixedCostLine { Name = name, MonthlyAmount = amount, Scope = scope });
            }

            return result;
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.InputError, $"--fixed-costs: '{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
