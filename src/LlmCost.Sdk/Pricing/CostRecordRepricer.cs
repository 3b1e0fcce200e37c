using System.Text;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// Prices stored records again with another price table: to apply a price correction, to move records to a newer
/// table version, or to ask "what would this spend have cost at these prices?". Records keep their raw token counts,
/// so nothing but the cost and the price reference changes.
/// </summary>
/// <remarks>
/// <para>
/// A record is priced exactly as the live path prices a call: through the model aliases, the served model then the
/// requested one, the price period in force at the record's <see cref="CostRecord.Timestamp"/>, its
/// <see cref="CostRecord.ServiceTier"/> and <see cref="CostRecord.Region"/>. Re-pricing with the table that priced a
/// record reproduces its cost exactly.
/// </para>
/// <para>
/// Kept as they are: a record whose cost the provider reported itself (<see cref="CostBreakdown.ReportedByProvider"/>,
/// OpenRouter), because that is what was billed whatever any table says; a successful call whose usage is unknown
/// (<see cref="UsageSource.None"/>), whose cost stays unknown (<see langword="null"/>), never $0. A model the new
/// table does not know gets <see langword="null"/> cost and price: unpriced, never $0. Everything else about a record
/// (id, timestamp, tags, usage) is kept. Thread-safe: the instance holds only immutable state.
/// </para>
/// </remarks>
public sealed class CostRecordRepricer
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly CostPricer _pricer;

    /// <summary>Initializes a new instance of the <see cref="CostRecordRepricer"/> class.</summary>
    /// <param name="table">The table to price with, such as <see cref="PriceTable.Default"/> or one read with <see cref="PriceTable.Load(Stream)"/>.</param>
    /// <param name="modelAliases">The application's model aliases (<see cref="LlmCostOptions.ModelAliases"/>), when records name deployments or profiles.</param>
    public CostRecordRepricer(PriceTable table, IReadOnlyDictionary<string, string>? modelAliases = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        _pricer = new CostPricer(table, modelAliases);
    }

    /// <summary>Gets the table records are priced with.</summary>
    public PriceTable Table => _pricer.Table;

    /// <summary>Prices one record with <see cref="Table"/>.</summary>
    /// <param name="record">The stored record.</param>
    /// <returns>The record with its new <see cref="CostRecord.Cost"/> and <see cref="CostRecord.Price"/>; the same instance when it is kept as it is.</returns>
    public CostRecord Reprice(CostRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _pricer.Price(record, out _);
    }

    /// <summary>Prices records with <see cref="Table"/>, lazily, one at a time.</summary>
    /// <param name="records">The stored records.</param>
    /// <returns>The re-priced records, in the same order.</returns>
    public IEnumerable<CostRecord> Reprice(IEnumerable<CostRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return RepriceAll(records);
    }

    /// <summary>
    /// Re-prices a JSON Lines file written by <see cref="JsonLinesCostSink"/>, line by line with constant memory, and
    /// writes the re-priced records to another stream in the same format. Blank lines are skipped.
    /// </summary>
    /// <param name="input">The JSON Lines to read (UTF-8).</param>
    /// <param name="output">Where the re-priced JSON Lines are written (UTF-8, one record per line). It is flushed, not closed.</param>
    /// <param name="cancellationToken">Stops the work between lines.</param>
    /// <returns>The number of records written.</returns>
    /// <exception cref="JsonException">A line is not a valid record; the message names the line. Nothing after it is written.</exception>
    public async Task<int> RepriceJsonLinesAsync(Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        using var reader = new JsonLinesCostRecordReader(input, leaveOpen: true);
        var writer = new StreamWriter(output, Utf8NoBom, bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\n" };
        await using (writer.ConfigureAwait(false))
        {
            var count = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } record)
            {
                await writer.WriteLineAsync(Reprice(record).ToJson().AsMemory(), cancellationToken).ConfigureAwait(false);
                count++;
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            return count;
        }
    }

    private IEnumerable<CostRecord> RepriceAll(IEnumerable<CostRecord> records)
    {
        foreach (var record in records)
        {
            yield return Reprice(record);
        }
    }
}
