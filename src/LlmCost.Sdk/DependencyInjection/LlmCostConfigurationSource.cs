using Microsoft.Extensions.Configuration;

namespace LlmCost.Sdk;

/// <summary>A configuration passed to <c>AddLlmCostTracking(IConfiguration)</c>, kept to check its keys at start-up.</summary>
internal sealed record LlmCostConfigurationSource(IConfiguration Configuration);
