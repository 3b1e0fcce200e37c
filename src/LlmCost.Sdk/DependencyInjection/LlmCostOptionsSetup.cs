using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Defaults <see cref="LlmCostOptions.Environment"/> to the host's environment name when there is a host, and normalizes
/// the case of known provider names in <see cref="LlmCostOptions.Endpoints"/> (<c>OpenAI</c> → <c>openai</c>), so
/// records, metrics and prices see one spelling.
/// </summary>
internal sealed class LlmCostOptionsSetup : IPostConfigureOptions<LlmCostOptions>
{
    private readonly IHostEnvironment? _environment;

    public LlmCostOptionsSetup(IHostEnvironment? environment = null) => _environment = environment;

    public void PostConfigure(string? name, LlmCostOptions options)
    {
        options.Environment ??= _environment?.EnvironmentName;
        foreach (var endpoint in options.Endpoints)
        {
            if (KnownProviders.Normalize(endpoint.Provider) is { } provider)
            {
                endpoint.Provider = provider;
            }
        }
    }
}
