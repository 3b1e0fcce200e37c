using System.Globalization;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Validates <see cref="LlmCostOptions"/> at start-up, including the price data, so nothing fails later inside a call.
/// Every message names the option or the price entry.
/// </summary>
internal sealed class LlmCostOptionsValidator : IValidateOptions<LlmCostOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmCostOptions options)
    {
        var failures = new List<string>();
        Range(failures, nameof(options.QueueCapacity), options.QueueCapacity, 1, 10_000_000);
        Range(failures, nameof(options.MaxBatchSize), options.MaxBatchSize, 1, 1_000_000);
        Range(failures, nameof(options.SinkMaxRetries), options.SinkMaxRetries, 0, 100);
        Range(failures, nameof(options.SinkQueueCapacity), options.SinkQueueCapacity, 1, 1_000_000);
        Positive(failures, nameof(options.BatchDelay), options.BatchDelay, allowZero: true);
        Positive(failures, nameof(options.ShutdownTimeout), options.ShutdownTimeout, allowZero: false);
        Positive(failures, nameof(options.SinkRetryDelay), options.SinkRetryDelay, allowZero: true);
        if (options.SinkWriteTimeout != Timeout.InfiniteTimeSpan)
        {
            Positive(failures, nameof(options.SinkWriteTimeout), options.SinkWriteTimeout, allowZero: false);
        }

        if (options.DiskSpoolPath is not null)
        {
            if (string.IsNullOrWhiteSpace(options.DiskSpoolPath))
            {
                failures.Add("LlmCostOptions.DiskSpoolPath must name a folder, or be null for no spool.");
            }

            if (options.DiskSpoolMaxBytes < 1024 * 1024)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"LlmCostOptions.DiskSpoolMaxBytes must be at least 1 MiB (1048576), not {options.DiskSpoolMaxBytes}."));
            }

            Positive(failures, nameof(options.DiskSpoolMaxAge), options.DiskSpoolMaxAge, allowZero: false);
        }

        var telemetry = options.Telemetry;
        Range(failures, "Telemetry.MaxMetricTagValues", telemetry.MaxMetricTagValues, 1, 100_000);
        for (var i = 0; i < telemetry.CustomTagsInMetrics.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(telemetry.CustomTagsInMetrics[i]))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"LlmCostOptions.Telemetry.CustomTagsInMetrics[{i}] must name a custom tag."));
            }
        }

        for (var i = 0; i < options.Endpoints.Count; i++)
        {
            var endpoint = options.Endpoints[i];
            if (!Uri.TryCreate(endpoint.BaseAddress, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"LlmCostOptions.Endpoints[{i}].BaseAddress must be an absolute http or https URI, not '{endpoint.BaseAddress}'.");
            }

            if (string.IsNullOrWhiteSpace(endpoint.Provider))
            {
                failures.Add($"LlmCostOptions.Endpoints[{i}] ('{endpoint.BaseAddress}') needs a Provider, such as 'openai'.");
            }
        }

        try
        {
            var table = PriceTableFactory.Create(options);
            ValidateModelAliases(options, table, failures);
        }
        catch (PriceTableException ex)
        {
            failures.Add(ex.Message);
        }
        catch (IOException ex)
        {
            failures.Add($"LlmCostOptions.PriceTablePath '{options.PriceTablePath}' cannot be read: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            failures.Add($"LlmCostOptions.PriceTablePath '{options.PriceTablePath}' cannot be read: {ex.Message}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>An alias that names no model of the table is a typo that would leave every call it maps unpriced: fail now, naming it.</summary>
    private static void ValidateModelAliases(LlmCostOptions options, PriceTable table, List<string> failures)
    {
        if (options.ModelAliases.Count == 0)
        {
            return;
        }

        var providers = table.Entries.Select(e => e.Provider).Distinct(StringComparer.Ordinal).ToList();
        foreach (var (alias, model) in options.ModelAliases)
        {
            if (string.IsNullOrWhiteSpace(alias) || string.IsNullOrWhiteSpace(model))
            {
                failures.Add($"LlmCostOptions.ModelAliases['{alias}'] must map a non-empty name to a non-empty model id.");
            }
            else if (!providers.Exists(p => table.TryGetEntry(p, model, out _)))
            {
                failures.Add($"LlmCostOptions.ModelAliases['{alias}'] = '{model}': no price-table entry has that model id.");
            }
        }
    }

    private static void Range(List<string> failures, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"LlmCostOptions.{name} must be between {min} and {max}, not {value}."));
        }
    }

    private static void Positive(List<string> failures, string name, TimeSpan value, bool allowZero)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"LlmCostOptions.{name} must be {(allowZero ? "zero or more" : "more than zero")}, not {value}."));
        }
    }
}
