using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// Reads cost records from JSON Lines (the format <see cref="JsonLinesCostSink"/> writes), one line at a time, with
/// constant memory whatever the file's size. Blank lines are skipped; a line that is not a record throws a
/// <see cref="JsonException"/> naming its line number, and reading can go on with the next line.
/// </summary>
/// <example>
/// <code>
/// await using var file = File.OpenRead("costs/llm-costs.jsonl");
/// using var reader = new JsonLinesCostRecordReader(file);
/// await foreach (var record in reader.ReadAllAsync())
/// {
///     Console.WriteLine($"{record.Timestamp:u} {record.Model} {record.Cost?.Total}");
/// }
/// </code>
/// </example>
public sealed class JsonLinesCostRecordReader : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly StreamReader _reader;

    /// <summary>Initializes a new instance of the <see cref="JsonLinesCostRecordReader"/> class.</summary>
    /// <param name="utf8JsonLines">The JSON Lines to read (UTF-8; a byte-order mark is accepted).</param>
    /// <param name="leaveOpen"><see langword="true"/> to leave the stream open when the reader is disposed.</param>
    public JsonLinesCostRecordReader(Stream utf8JsonLines, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(utf8JsonLines);
        _reader = new StreamReader(utf8JsonLines, Utf8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen);
    }

    /// <summary>Gets the number of the line read last (1-based; 0 before the first read), blank lines included.</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// Reads the next record, or returns <see langword="null"/> at the end of the stream.
    /// </summary>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The next record, or <see langword="null"/> at the end.</returns>
    /// <exception cref="JsonException">
    /// The next non-blank line is not a cost record; the message names the line (<see cref="LineNumber"/>). The line is
    /// consumed: calling again reads the line after it, which is how a tolerant reader skips and counts bad lines.
    /// </exception>
    public async ValueTask<CostRecord?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            LineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                return CostRecord.FromJson(line);
            }
            catch (Exception ex) when (ex is JsonException or FormatException)
            {
                throw new JsonException($"Line {LineNumber} is not a valid cost record: {ex.Message}", path: null, lineNumber: LineNumber - 1, bytePositionInLine: null, ex);
            }
        }

        return null;
    }

    /// <summary>Reads every record to the end of the stream; a bad line ends the enumeration with a <see cref="JsonException"/> naming it.</summary>
    /// <param name="cancellationToken">Stops the enumeration between lines.</param>
    /// <returns>The records, in file order.</returns>
    public async IAsyncEnumerable<CostRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } record)
        {
            yield return record;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();
}
