namespace LlmCost.Sdk.Reporting;

/// <summary>
/// The CSV output, which scripts consume, so its shape is fixed: a header row with the grouping dimensions named as in
/// the record (<c>feature</c>, <c>team</c>, <c>customer</c>, <c>environment</c>, <c>provider</c>, <c>model</c>) then
/// <c>calls</c> and <c>cost</c>; one row per group, most expensive first; cost in USD in invariant culture with no
/// thousands separator; an empty field for a group without a value; RFC 4180 quoting; lines end with LF.
/// </summary>
internal static class CsvReportWriter
{
    public static void Write(CostReport report, TextWriter writer)
    {
        writer.Write(string.Join(',', report.GroupBy.Select(Dimensions.Name).Append("calls").Append("cost")));
        writer.Write('\n');
        foreach (var group in report.Groups)
        {
            foreach (var key in group.Keys)
            {
                writer.Write(Escape(key ?? string.Empty));
                writer.Write(',');
            }

            writer.Write(group.Calls.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.Write(Format.Exact(group.Cost));
            writer.Write('\n');
        }
    }

    internal static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
