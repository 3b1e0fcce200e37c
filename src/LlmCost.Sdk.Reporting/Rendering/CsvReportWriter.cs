namespace LlmCost.Sdk.Reporting;

/// <summary>
/// The CSV output, which scripts consume, so its shape is fixed: a header row with the grouping dimensions named as in
/// the record (<c>feature</c>, <c>team</c>, <c>customer</c>, <c>environment</c>, <c>provider</c>, <c>model</c>) then
/// <c>calls</c> and <c>cost</c>; one row per group, most expensive first; cost in USD in invariant culture with no
/// thousands separator; an empty field for a group without a value; RFC 4180 quoting; lines end with LF.
/// </summary>
/// <remarks>
/// When the report has fixed costs (<see cref="CostReport.FixedCosts"/> is not empty), one more column,
/// <c>fixed_cost</c>, follows <c>cost</c>: the fixed costs allocated to the group. <c>cost</c> keeps its meaning (the
/// records' cost), so a script that reads the columns by name is unaffected, and the sum of <c>cost</c> plus the sum of
/// <c>fixed_cost</c> is the report's grand total. A fixed-cost line that no group's tokens could carry (nothing in its
/// scope) is one more row, after the groups, whose first column is <see cref="UnallocatedFixedCost"/>, the other
/// dimension columns empty, <c>calls</c> and <c>cost</c> zero. Without fixed costs the output is exactly as before.
/// </remarks>
internal static class CsvReportWriter
{
    /// <summary>The first column of the row that carries fixed costs no group could take.</summary>
    public const string UnallocatedFixedCost = "(unallocated fixed cost)";

    public static void Write(CostReport report, TextWriter writer)
    {
        var withFixedCosts = report.FixedCosts.Count > 0;
        var header = report.GroupBy.Select(Dimensions.Name).Append("calls").Append("cost");
        writer.Write(string.Join(',', withFixedCosts ? header.Append("fixed_cost") : header));
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
            if (withFixedCosts)
            {
                writer.Write(',');
                writer.Write(Format.Exact(group.FixedCost));
            }

            writer.Write('\n');
        }

        var unallocated = report.FixedCosts.Where(a => a.Keys is null).Sum(a => a.Amount);
        if (unallocated != 0m)
        {
            writer.Write(Escape(UnallocatedFixedCost));
            writer.Write(new string(',', report.GroupBy.Count)); // the other dimension columns, empty, then the separator before calls
            writer.Write("0,0,");
            writer.Write(Format.Exact(unallocated));
            writer.Write('\n');
        }
    }

    internal static string Escape(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
