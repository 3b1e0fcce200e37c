using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>Validates each registered budget at start-up; every error names the budget and the field (as its configuration key).</summary>
internal sealed class LlmBudgetOptionsValidator(BudgetNames names) : IValidateOptions<LlmBudgetOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmBudgetOptions options)
    {
        if (name is null || !names.Names.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>();
        var prefix = "LlmCost:Budgets:" + name + ":";
        if (CompiledBudget.ParseWindow(options.Window) is null)
        {
            errors.Add(prefix + "Window: '" + options.Window + "' is not Day, Week, Month or a positive TimeSpan such as 01:00:00.");
        }

        if (CompiledBudget.FindZone(options.TimeZone) is null)
        {
            errors.Add(prefix + "TimeZone: '" + options.TimeZone + "' is not a time zone id (IANA, such as Europe/Berlin).");
        }

        if (options.Limit is <= 0)
        {
            errors.Add(prefix + "Limit: must be greater than 0 (USD).");
        }

        if (options.TokenLimit is <= 0)
        {
            errors.Add(prefix + "TokenLimit: must be greater than 0.");
        }

        if (!Enum.IsDefined(options.Enforcement))
        {
            errors.Add(prefix + "Enforcement: must be Warn or Refuse.");
        }

        if (options.Enforcement == LlmBudgetEnforcement.Refuse && options.Limit is null && options.TokenLimit is null)
        {
            errors.Add(prefix + "Limit: Enforcement Refuse needs a Limit (or a TokenLimit).");
        }

        if (options.AlertThresholds is { } thresholds)
        {
            foreach (var t in thresholds)
            {
                if (t is <= 0 or > 10)
                {
                    errors.Add(prefix + "AlertThresholds: " + t.ToString(System.Globalization.CultureInfo.InvariantCulture) + " is not a fraction of the limit (0 < t <= 10, such as 0.8).");
                }
            }

            if (thresholds.Count > 0 && options.Limit is null)
            {
                errors.Add(prefix + "AlertThresholds: thresholds need a Limit.");
            }
        }

        if (options.PaceAlert && options.Limit is null)
        {
            errors.Add(prefix + "PaceAlert: needs a Limit.");
        }

        if (options.AnomalyFactor is <= 0)
        {
            errors.Add(prefix + "AnomalyFactor: must be greater than 0 (such as 3 for three times the trailing mean).");
        }

        if (options.AnomalyDays is < 1 or > 90)
        {
            errors.Add(prefix + "AnomalyDays: must be between 1 and 90.");
        }

        Positive(options.MaxOutputTokens, "MaxOutputTokens");
        Positive(options.RequestsPerWindow, "RequestsPerWindow");
        Positive(options.TokensPerWindow, "TokensPerWindow");
        Positive(options.LoopThreshold, "LoopThreshold");
        if (options.RateLimitWindow <= TimeSpan.Zero)
        {
            errors.Add(prefix + "RateLimitWindow: must be positive.");
        }

        if (options.RateLimitQueue < 0)
        {
            errors.Add(prefix + "RateLimitQueue: must not be negative.");
        }

        if (options.LoopWindow <= TimeSpan.Zero)
        {
            errors.Add(prefix + "LoopWindow: must be positive.");
        }

        if (options.ClampOutputTokens && options.MaxOutputTokens is null)
        {
            errors.Add(prefix + "ClampOutputTokens: needs MaxOutputTokens.");
        }

        if (options.Limit is null && options.TokenLimit is null && options.MaxOutputTokens is null && options.RequestsPerWindow is null
            && options.TokensPerWindow is null && options.LoopThreshold is null && options.AnomalyFactor is null)
        {
            errors.Add(prefix + "Limit: the budget sets no Limit, TokenLimit, MaxOutputTokens, rate limit, LoopThreshold or AnomalyFactor.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Positive(int? value, string field)
        {
            if (value is <= 0)
            {
                errors.Add(prefix + field + ": must be greater than 0.");
            }
        }
    }
}
