using Spectre.Console;

namespace LlmCost.Sdk.Reporting;

/// <summary>Writes a <see cref="CostReport"/> as terminal tables, JSON, CSV or one self-contained HTML page.</summary>
public static class CostReportWriter
{
    /// <summary>
    /// Writes the main table as CSV: a header row with the grouping dimensions named as in the record (<c>feature</c>,
    /// <c>team</c>, <c>customer</c>, <c>environment</c>, <c>provider</c>, <c>model</c>) then <c>calls</c> and <c>cost</c>;
    /// then one row per group, most expensive first. Cost is the records' USD in invariant culture (fixed costs are not in
    /// it); a group without a value has an empty field; fields are quoted as RFC 4180 says; lines end with LF.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="writer">Where to write.</param>
    public static void WriteCsv(CostReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        CsvReportWriter.Write(report, writer);
    }

    /// <summary>Writes the whole report as JSON (camelCase, money as exact numbers in USD, dimensions by their record names).</summary>
    /// <param name="report">The report.</param>
    /// <param name="stream">Where to write (UTF-8).</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    /// <returns>A task that completes when the report is written.</returns>
    public static Task WriteJsonAsync(CostReport report, Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stream);
        return JsonReportWriter.WriteAsync(report, stream, cancellationToken);
    }

    /// <summary>
    /// Writes one self-contained HTML page: inline CSS, an inline SVG daily spend chart stacked by
    /// <see cref="CostReport.ChartBy"/> with the forecast line and anomaly markers, and the report's tables. It loads
    /// nothing from the network and runs no script.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="writer">Where to write.</param>
    public static void WriteHtml(CostReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        HtmlReportWriter.Write(report, writer);
    }

    /// <summary>Writes the report as terminal tables.</summary>
    /// <param name="report">The report.</param>
    /// <param name="console">The console, such as <see cref="AnsiConsole.Console"/>.</param>
    public static void WriteTerminal(CostReport report, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(console);
        TerminalReportWriter.Write(report, console);
    }
}
