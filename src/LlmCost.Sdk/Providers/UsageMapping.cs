using System.Buffers.Text;

namespace LlmCost.Sdk;

/// <summary>
/// One provider's response format: which JSON paths carry usage. Mappings are stateless singletons;
/// what a call has seen so far lives in its <see cref="UsageAccumulator"/>.
/// </summary>
internal abstract class UsageMapping
{
    /// <summary>Names the usage value at a path, or <see cref="UsageField.None"/>.</summary>
    public abstract UsageField Match(in JsonPath path);

    public bool Wants(in JsonPath path) => Match(in path) != UsageField.None;

    public void OnValue(in JsonPath path, JsonScalarKind kind, ReadOnlySpan<byte> value, UsageAccumulator usage)
    {
        var field = Match(in path);
        if (field == UsageField.Model)
        {
            if (kind == JsonScalarKind.String)
            {
                usage.SetModel(value);
            }

            return;
        }

        if (kind == JsonScalarKind.Number && Utf8Parser.TryParse(value, out long count, out var consumed) && consumed == value.Length && count >= 0)
        {
            usage.Set(field, count);
        }
    }
}
