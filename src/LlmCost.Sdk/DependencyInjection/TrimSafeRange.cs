namespace LlmCost.Sdk;

/// <summary>Why a <c>[Range(typeof(TimeSpan), …)]</c> on an options property is safe to trim.</summary>
internal static class TrimSafeRange
{
    public const string Justification =
        "Read only by the [OptionsValidator] source-generated validator, which emits its own trim-safe copy of RangeAttribute for TimeSpan bounds; no TypeConverter is looked up by reflection.";
}
