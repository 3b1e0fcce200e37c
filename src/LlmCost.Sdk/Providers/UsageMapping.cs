using System.Buffers.Text;

namespace LlmCost.Sdk;

/// <summary>
/// One provider's response format: which JSON paths carry usage. Mappings are stateless singletons;
/// what a call has seen so far lives in its <see cref="UsageAccumulator"/>.
/// </summary>
internal abstract class UsageMapping
{
    /// <summary>Gets the depth of the deepest path the mapping matches; names below it are not even hashed.</summary>
    public virtual int MaxDepth => JsonPath.MaxDepth;

    /// <summary>Names the usage value at a path, or <see cref="UsageField.None"/>.</summary>
    public abstract UsageField Match(in JsonPath path);

    public bool Wants(in JsonPath path) => Match(in path) != UsageField.None;

    /// <summary>Reads usage a provider reports in response headers (Bedrock's InvokeModel token-count headers). Never throws.</summary>
    public virtual void OnResponse(HttpResponseMessage response, UsageAccumulator usage)
    {
    }

    public void OnValue(in JsonPath path, JsonScalarKind kind, ReadOnlySpan<byte> value, UsageAccumulator usage)
    {
        var field = Match(in path);
        if (field is UsageField.Model or UsageField.RequestModel or UsageField.ServiceTier)
        {
            if (kind == JsonScalarKind.String)
            {
                usage.SetModel(field, value);
            }

            return;
        }

        if (field == UsageField.ReportedCost)
        {
            // The default format reads plain and exponent notation (OpenRouter writes 1e-7); 'E' would demand an exponent.
            if (kind == JsonScalarKind.Number && Utf8Parser.TryParse(value, out decimal cost, out var used) && used == value.Length && cost >= 0)
            {
                usage.SetReportedCost(cost);
            }

            return;
        }

        if (kind == JsonScalarKind.Number && Utf8Parser.TryParse(value, out long count, out var consumed) && consumed == value.Length && count >= 0)
        {
            usage.Set(field, count);
        }
    }
}
