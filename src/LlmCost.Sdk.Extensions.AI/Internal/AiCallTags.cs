using Microsoft.Extensions.AI;

namespace LlmCost.Sdk.Extensions.AI;

/// <summary>Reads the per-call tags of a Microsoft.Extensions.AI call from its options' additional properties.</summary>
internal static class AiCallTags
{
    private const string Prefix = "llmcost.";

    /// <summary>Returns the tags set under <see cref="LlmCostChatOptionsKeys"/>, or <see cref="LlmCostTags.Empty"/> without allocating when none is.</summary>
    public static LlmCostTags Read(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || properties.Count == 0)
        {
            return LlmCostTags.Empty;
        }

        string? feature = null, team = null, customer = null, environment = null;
        LlmCostTags? withCustom = null;
        var found = false;
        foreach (var (key, value) in properties)
        {
            if (value is not string text || !key.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            switch (key)
            {
                case LlmCostChatOptionsKeys.Feature:
                    feature = text;
                    break;
                case LlmCostChatOptionsKeys.Team:
                    team = text;
                    break;
                case LlmCostChatOptionsKeys.Customer:
                    customer = text;
                    break;
                case LlmCostChatOptionsKeys.Environment:
                    environment = text;
                    break;
                default:
                    if (key.Length > LlmCostChatOptionsKeys.CustomTagPrefix.Length
                        && key.StartsWith(LlmCostChatOptionsKeys.CustomTagPrefix, StringComparison.Ordinal))
                    {
                        (withCustom ??= new()).Custom[key[LlmCostChatOptionsKeys.CustomTagPrefix.Length..]] = text;
                        break;
                    }

                    continue;
            }

            found = true;
        }

        if (!found)
        {
            return LlmCostTags.Empty;
        }

        var tags = withCustom ?? new LlmCostTags();
        tags.Feature = feature;
        tags.Team = team;
        tags.Customer = customer;
        tags.Environment = environment;
        return tags.MakeReadOnly();
    }
}
