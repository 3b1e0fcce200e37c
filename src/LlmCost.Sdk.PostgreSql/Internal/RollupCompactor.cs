using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace LlmCost.Sdk;

/// <summary>
/// Compacts the rollup buckets a sink asks for (<c>llmcost_compact_rollups</c>) in the background, on a pooled connection
/// of its own, one compaction at a time: the sink's next batch does not wait for it, and on a server with more than one
/// core the two run side by side. Buckets asked for while a compaction runs are merged and compacted by the next one.
/// A failure (a lock timeout, a deadlock with another sink's compaction, a lost connection) is logged (event 950) and
/// costs nothing else: the rows stay as they were, exact, only less compact. Disposing waits for the compaction running
/// and the buckets still asked for, so a sink that stops leaves its buckets compacted.
/// </summary>
internal sealed class RollupCompactor : IAsyncDisposable, IDisposable
{
    private readonly string _connectionString;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly HashSet<DateTime> _pending = [];
    private Task _running = Task.CompletedTask;
    private bool _scheduled;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="RollupCompactor"/> class.</summary>
    /// <param name="connectionString">The sink's connection string (its pool and search path).</param>
    /// <param name="logger">Logs a failed compaction.</param>
    public RollupCompactor(string connectionString, ILogger logger)
    {
        _connectionString = connectionString;
        _logger = logger;
    }

    /// <summary>Asks for the buckets to be compacted; returns at once.</summary>
    /// <param name="buckets">The buckets' starts, in UTC.</param>
    public void Request(IEnumerable<DateTime> buckets)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _pending.UnionWith(buckets);
            if (_scheduled || _pending.Count == 0)
            {
                return;
            }

            _scheduled = true;
            _running = Task.Run(RunAsync);
        }
    }

    /// <summary>Waits for the compaction running and the buckets asked for, then accepts no more.</summary>
    /// <returns>A task that completes when no compaction runs.</returns>
    public async ValueTask DisposeAsync() => await Stop().ConfigureAwait(false); // never faults: RunAsync logs its failures

    /// <summary>Waits for the compaction running and the buckets asked for, then accepts no more.</summary>
    public void Dispose() => Stop().GetAwaiter().GetResult();

    /// <summary>Accepts no more buckets; returns the compaction running, which ends when the buckets asked for are done.</summary>
    private Task Stop()
    {
        lock (_lock)
        {
            _disposed = true;
            return _running;
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            DateTime[] buckets;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _scheduled = false;
                    return;
                }

                buckets = [.. _pending.Order()];
                _pending.Clear();
            }

            try
            {
                var connection = new NpgsqlConnection(_connectionString);
                await using (connection.ConfigureAwait(false))
                {
                    await connection.OpenAsync().ConfigureAwait(false);
                    using var command = new NpgsqlCommand(PostgreSqlSchema.CompactRollups, connection);
                    command.Parameters.Add(new NpgsqlParameter<DateTime[]>("buckets", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = buckets });
                    await command.ExecuteNonQueryAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                // Nothing is lost: the batches are committed and counted; their rows are only less compact.
                Log.PostgreSqlCompactionFailed(_logger, buckets.Length, ex);
            }
        }
    }
}
