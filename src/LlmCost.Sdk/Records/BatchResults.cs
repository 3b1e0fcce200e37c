namespace LlmCost.Sdk;

/// <summary>
/// Reads the results file of a finished batch job into unpriced records, without a service provider: for offline tools
/// (a CLI, a notebook) that price them with <see cref="CostRecordRepricer"/>. An application that tracks its calls uses
/// <see cref="ILlmCostTracker.TrackBatchOutputAsync"/> instead, which reads the same way and writes to its sinks.
/// </summary>
/// <example>
/// <code>
/// var repricer = new CostRecordRepricer(PriceTable.Default);
/// await foreach (var record in BatchResults.ReadAsync(File.OpenRead("batch_output.jsonl"), LlmProviders.OpenAI))
/// {
///     var priced = repricer.Reprice(record); // at the table's batch rates
/// }
/// </code>
/// </example>
public static class BatchResults
{
    /// <summary>
    /// Reads an OpenAI (or Azure OpenAI) Batch API output or error file, or an Anthropic Message Batches results file,
    /// line by line with memory bound by the longest line. Each result line becomes one record exactly as
    /// <see cref="ILlmCostTracker.TrackBatchOutputAsync"/> makes it (<see cref="CostRecord.ServiceTier"/> <c>batch</c>,
    /// usage read by the live mapping, <see cref="CostRecord.ErrorType"/> for failed lines), without cost unless the
    /// provider reported one.
    /// </summary>
    /// <param name="results">The results file (JSON Lines, UTF-8). It is read to its end, not closed.</param>
    /// <param name="provider"><c>openai</c>, <c>azure.ai.openai</c> or <c>anthropic</c> (<see cref="LlmProviders"/>).</param>
    /// <param name="tags">The attribution of the job (copied now unless it is read-only).</param>
    /// <param name="onMalformedLine">Called with the 1-based number of each line that is not a result line (it is skipped).</param>
    /// <param name="timeProvider">The clock for lines whose body has no creation time; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Stops reading between lines.</param>
    /// <returns>The records, in file order.</returns>
    /// <exception cref="ArgumentException"><paramref name="provider"/> is not a supported batch format.</exception>
    public static IAsyncEnumerable<CostRecord> ReadAsync(
        Stream results,
        string provider,
        LlmCostTags? tags = null,
        Action<int>? onMalformedLine = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        BatchOutputReader.CheckProvider(provider);
        var ids = new RecordIdGenerator();
        var reader = new BatchOutputReader(ids.Next, timeProvider ?? TimeProvider.System, knownModels: null);
        return ReadCoreAsync(reader, results, provider, tags?.ToReadOnly() ?? LlmCostTags.Empty, onMalformedLine, cancellationToken);
    }

    private static async IAsyncEnumerable<CostRecord> ReadCoreAsync(
        BatchOutputReader reader, Stream results, string provider, LlmCostTags tags, Action<int>? onMalformedLine,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (line, record) in reader.ReadAsync(results, provider, tags, cancellationToken).ConfigureAwait(false))
        {
            if (record is null)
            {
                onMalformedLine?.Invoke(line);
            }
            else
            {
                yield return record;
            }
        }
    }
}
