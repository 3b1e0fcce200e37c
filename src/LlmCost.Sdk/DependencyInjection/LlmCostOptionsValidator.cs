using System.Globalization;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Validates <see cref="LlmCostOptions"/> at start-up, including the price data, so nothing fails later inside a call.
/// Every message names the option or the price entry.
/// </summary>
internal sealed class LlmCostOptionsValidator : IValidateOptions<LlmCostOptions>
{
    private readonly IReadOnlyList<PinnedClientProvider> _pinned;

    public LlmCostOptionsValidator(IEnumerable<PinnedClientProvider>? pinned = null) => _pinned = pinned?.ToList() ?? [];

    /// <remarks>Ranges are checked by <see cref="LlmCostOptionsAttributeValidator"/>; this validator holds the rules across fields and the price data.</remarks>
    public ValidateOptionsResult Validate(string? name, LlmCostOptions options)
    {
        var failures = new List<string>();
        if (options.Sinks.WriteTimeout != Timeout.InfiniteTimeSpan && options.Sinks.WriteTimeout <= TimeSpan.Zero)
        {
            failures.Add($"LlmCostOptions.Sinks.WriteTimeout (LlmCost:Sinks:WriteTimeout) must be positive or Timeout.InfiniteTimeSpan, not {options.Sinks.WriteTimeout}.");
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

            if (options.DiskSpoolMaxAge <= TimeSpan.Zero)
            {
                failures.Add($"LlmCostOptions.DiskSpoolMaxAge must be positive, not {options.DiskSpoolMaxAge}.");
            }
        }

        var telemetry = options.Telemetry;
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
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"LlmCostOptions.Endpoints[{i}].BaseAddress (LlmCost:Endpoints:{i}:BaseAddress) must be an absolute http or https URI, not '{endpoint.BaseAddress}'."));
            }

            if (string.IsNullOrWhiteSpace(endpoint.Provider))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"LlmCostOptions.Endpoints[{i}] ('{endpoint.BaseAddress}') needs a Provider (LlmCost:Endpoints:{i}:Provider), such as 'openai'."));
            }
        }

        var update = options.PriceTableUpdate;
        if (update.Source is { } updateSource && (string.IsNullOrWhiteSpace(updateSource)
            || (Uri.TryCreate(updateSource, UriKind.Absolute, out var updateUri) && updateUri.Scheme is not ("http" or "https" or "file"))))
        {
            failures.Add($"LlmCostOptions.PriceTableUpdate.Source must be an http or https URL or a file path, not '{updateSource}'.");
        }

        if (update.Interval < TimeSpan.FromMinutes(1))
        {
            failures.Add($"LlmCostOptions.PriceTableUpdate.Interval must be at least 1 minute, not {update.Interval}.");
        }

        if (update.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"LlmCostOptions.PriceTableUpdate.Timeout must be positive, not {update.Timeout}.");
        }

        try
        {
            var table = PriceTableFactory.Create(options);
            ValidateModelAliases(options, table, failures);
            ValidateProviders(options, table, failures);
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

    /// <summary>
    /// A provider decides which prices apply: a misspelled one (<c>foobar</c>) would leave every call unpriced with a warning
    /// that blames the price. Known providers (<see cref="LlmProviders"/>) are normalized by <see cref="LlmCostOptionsSetup"/>;
    /// any other must be one the price table has (for example added through <see cref="LlmCostOptions.Prices"/>).
    /// </summary>
    private void ValidateProviders(LlmCostOptions options, PriceTable table, List<string> failures)
    {
        HashSet<string>? tableProviders = null;
        bool IsKnown(string provider)
        {
            if (KnownProviders.Normalize(provider) is not null)
            {
                return true;
            }

            tableProviders ??= table.Entries.Select(e => e.Provider).ToHashSet(StringComparer.Ordinal);
            return tableProviders.Contains(provider);
        }

        for (var i = 0; i < options.Endpoints.Count; i++)
        {
            var provider = options.Endpoints[i].Provider;
            if (!string.IsNullOrWhiteSpace(provider) && !IsKnown(provider))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"LlmCostOptions.Endpoints[{i}].Provider (LlmCost:Endpoints:{i}:Provider) '{provider}' is not a known provider: use one of {KnownProviders.List} (LlmProviders), or a provider that LlmCostOptions.Prices names."));
            }
        }

        foreach (var pinned in _pinned)
        {
            if (!IsKnown(pinned.Provider))
            {
                failures.Add($"LlmCostClientOptions.Provider of HTTP client '{pinned.ClientName}', '{pinned.Provider}', is not a known provider: use one of {KnownProviders.List} (LlmProviders), or a provider that LlmCostOptions.Prices names.");
            }
        }
    }
}
