using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// Validates the DataAnnotations of <see cref="LlmCostOptions"/> and its groups (<c>[Range]</c>, …); the code is
/// generated at build time (no reflection), and every message names the option and its configuration key.
/// </summary>
[OptionsValidator]
internal sealed partial class LlmCostOptionsAttributeValidator : IValidateOptions<LlmCostOptions>;
