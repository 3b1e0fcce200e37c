using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>Defaults <see cref="LlmCostOptions.Environment"/> to the host's environment name when there is a host.</summary>
internal sealed class LlmCostOptionsSetup : IPostConfigureOptions<LlmCostOptions>
{
    private readonly IHostEnvironment? _environment;

    public LlmCostOptionsSetup(IHostEnvironment? environment = null) => _environment = environment;

    public void PostConfigure(string? name, LlmCostOptions options) =>
        options.Environment ??= _environment?.EnvironmentName;
}
