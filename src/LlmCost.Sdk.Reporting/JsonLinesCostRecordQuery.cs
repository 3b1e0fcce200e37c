using System.Text.Json;

namespace LlmCost.Sdk.Reporting;

/// <summary>
/// Reads a JSON Lines file written by <see cref="JsonLinesCostSink"/> as an <see cref="ICostRecordQuery"/>, so a report
/// runs on it exactly as on the SQLite or PostgreSQL stores.
/// </summary>
/// <remarks>
/// The file is streamed line by line (<see cref="CostRecord.FromJson"/>) and summed in memory per bucket and group:
/// memory grows with the number of (bucket, group) pairs, never with the number of records. A line that is not a valid
/// record is skipped and counted in <see cref="UnreadableLines"/> (the first few line numbers are kept in
/// <see cref="UnreadableLineNumbers"/>), so one torn line never hides a month of spend. Blank lines are ignored.
/// An instance may be queried many times, but not concurrently: the counters describe the last query.
/// </remarks>
public sealed class JsonLinesCostRecordQuery : ICostRecordQuery
{
    private const int MaxLineNumbersKept = 20;

    private readonly IProgress<long>? _bytesRead;
    private readonly List<long> _unreadableLineNumbers = [];

    /// <summary>Initializes a new instance of the <see cref="JsonLinesCostRecordQuery"/> class.</summary>
    /// <param name="path">The JSON Lines file.</param>
    /// <param name="bytesRead">Told how many bytes of the file have been read so far, for a progress display; may be <see langword="null"/>.</param>
    public JsonLinesCostRecordQuery(string path, IProgress<long>? bytesRead = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _bytesRead = bytesRead;
    }

    /// <summary>Gets the path of the file.</summary>
    public string Path { get; }

    /// <summary>Gets the number of records read by the last query (in or out of its range).</summary>
    public long RecordsRead { get; private set; }

    /// <summary>Gets the number of non-blank lines the last query could not read as a record.</summary>
    public long UnreadableLines { get; private set; }

    /// <summary>Gets the (1-based) numbers of the first unreadable lines of the last query, at most 20.</summary>
    public IReadOnlyList<long> UnreadableLineNumbers => _unreadableLineNumbers;

    /// <inheritdoc />
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public async IAsyncEnumerable<CostAggregate> AggregateAsync(
        CostAggregateQuery query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var bucketTicks = query.BucketSize.Ticks; // a whole multiple of 15 minutes: CostAggregateQuery checks it

        RecordsRead = 0;
        UnreadableLines = 0;
        _unreadableLineNumbers.Clear();

        var sets = query.EffectiveGroupingSets.Select(set => set.ToArray()).ToArray();
        var fromTicks = query.From.UtcTicks;
        var toTicks = query.To.UtcTicks;
        var sums = sets.Select(_ => new Dictionary<GroupKey, Sums>()).ToArray(); // one per grouping set, all filled in one pass
        var names = new Dictionary<string, string>(StringComparer.Ordinal); // one instance per distinct value, shared by all groups

        var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan | FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new JsonLinesCostRecordReader(stream, leaveOpen: true);
            long lastReported = 0;
            while (true)
            {
                CostRecord? record;
                try
                {
                    record = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (JsonException)
                {
                    Unreadable(reader.LineNumber); // consumed: the next read goes on with the next line
                    continue;
                }

                if (record is null)
                {
                    break;
                }

                RecordsRead++;
                if (_bytesRead is not null && stream.Position - lastReported >= 4 * 1024 * 1024)
                {
                    lastReported = stream.Position;
                    _bytesRead.Report(lastReported);
                }

                var ticks = record.Timestamp.UtcTicks;
                if (ticks < fromTicks || ticks >= toTicks)
                {
                    continue;
                }

                var bucket = ticks - (ticks - DateTimeOffset.UnixEpoch.UtcTicks) % bucketTicks;
                for (var set = 0; set < sets.Length; set++)
                {
                    var dimensions = sets[set];
                    var key = new GroupKey(bucket, dimensions.Length == 0 ? [] : KeysOf(record, dimensions));
                    if (!sums[set].TryGetValue(key, out var sum))
                    {
                        Share(key.Keys, names);
                        sum = new Sums();
                        sums[set].Add(key, sum);
                    }

                    sum.Add(record);
                }
            }

            _bytesRead?.Report(stream.Length);
        }

        for (var set = 0; set < sums.Length; set++)
        {
            foreach (var (key, sum) in sums[set])
            {
                yield return new CostAggregate
                {
                    BucketStart = new DateTimeOffset(key.BucketTicks, TimeSpan.Zero),
                    Keys = key.Keys,
                    GroupingSet = set,
                    Calls = sum.Calls,
                    UnpricedCalls = sum.UnpricedCalls,
                    InputTokens = sum.InputTokens,
                    CachedInputTokens = sum.CachedInputTokens,
                    OutputTokens = sum.OutputTokens,
                    Cost = sum.Cost,
                };
            }
        }
    }

    internal static string? KeyOf(CostRecord record, CostDimension dimension) => dimension switch
    {
        CostDimension.Provider => record.Provider,
        CostDimension.Model => record.Model ?? record.RequestModel,
        CostDimension.Feature => record.Tags.Feature,
        CostDimension.Team => record.Tags.Team,
        CostDimension.Customer => record.Tags.Customer,
        CostDimension.Environment => record.Tags.Environment,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "Unknown dimension."),
    };

    private static string?[] KeysOf(CostRecord record, CostDimension[] dimensions)
    {
        var keys = new string?[dimensions.Length];
        for (var i = 0; i < dimensions.Length; i++)
        {
            keys[i] = KeyOf(record, dimensions[i]);
        }

        return keys;
    }

    private static void Share(string?[] keys, Dictionary<string, string> names)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is { } key)
            {
                if (names.TryGetValue(key, out var shared))
                {
                    keys[i] = shared;
                }
                else if (names.Count < 1_000_000)
                {
                    names.Add(key, key);
                }
            }
        }
    }

    private void Unreadable(long lineNumber)
    {
        UnreadableLines++;
        if (_unreadableLineNumbers.Count < MaxLineNumbersKept)
        {
            _unreadableLineNumbers.Add(lineNumber);
        }
    }

    private sealed class Sums
    {
        public long Calls;
        public long UnpricedCalls;
        public long InputTokens;
        public long CachedInputTokens;
        public long OutputTokens;
        public decimal Cost;

        public void Add(CostRecord record)
        {
            Calls++;
            InputTokens += record.Usage.InputTokens;
            CachedInputTokens += record.Usage.CachedInputTokens;
            OutputTokens += record.Usage.OutputTokens;
            if (record.Cost is { } cost)
            {
                Cost += cost.Total;
            }
            else
            {
                UnpricedCalls++;
            }
        }
    }

    private readonly struct GroupKey(long bucketTicks, string?[] keys) : IEquatable<GroupKey>
    {
        public long BucketTicks { get; } = bucketTicks;

        public string?[] Keys { get; } = keys;

        public bool Equals(GroupKey other)
        {
            if (BucketTicks != other.BucketTicks || Keys.Length != other.Keys.Length)
            {
                return false;
            }

            for (var i = 0; i < Keys.Length; i++)
            {
                if (!string.Equals(Keys[i], other.Keys[i], StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => obj is GroupKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            hash.Add(BucketTicks);
            foreach (var key in Keys)
            {
                hash.Add(key, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
