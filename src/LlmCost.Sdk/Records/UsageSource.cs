namespace LlmCost.Sdk;

/// <summary>Where a record's token counts came from.</summary>
public enum UsageSource
{
    /// <summary>No usage is known (for example, a failed call).</summary>
    None = 0,

    /// <summary>The provider reported the usage in its response.</summary>
    Provider = 1,

    /// <summary>The SDK estimated the usage because the response carried none.</summary>
    Estimated = 2,
}
