using System.Buffers;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>
/// The opt-in disk spool (<see cref="LlmCostOptions.DiskSpoolPath"/>): the pump writes every batch to disk before it
/// hands it to the sinks, each sink acknowledges the batches it took, in order, and a batch file is removed once every
/// sink has taken it. A sink that fails or times out leaves its batches on disk; its worker replays them in order when the
/// sink takes writes again, and a restart on the same folder replays whatever was left.
/// </summary>
/// <remarks>
/// Layout: <c>batches/&lt;sequence&gt;-&lt;unix ms&gt;-&lt;count&gt;.jsonl</c> (the records in the JSON Lines format, written to a
/// temporary file and renamed, so a crash never leaves half a batch), <c>sinks/&lt;sink key&gt;.ack</c> (the last sequence
/// that sink took), and <c>spool.lock</c>, held exclusively while the process owns the folder. Folders are 0700 and files
/// 0600 on Unix. Bounded by <see cref="LlmCostOptions.DiskSpoolMaxBytes"/> and <see cref="LlmCostOptions.DiskSpoolMaxAge"/>:
/// what the bounds remove before every sink took it is counted in <see cref="LlmCostStatistics.DroppedBySpool"/>.
/// Thread-safe: the pump appends, each sink worker reads and acknowledges.
/// </remarks>
internal sealed class DiskSpool : IDisposable
{
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };

    private readonly Lock _lock = new();
    private readonly string _batches;
    private readonly string _sinks;
    private readonly string[] _keys;
    private readonly long[] _acks;
    private readonly SortedDictionary<long, Entry> _entries = [];
    private readonly long _maxBytes;
    private readonly TimeSpan _maxAge;
    private readonly LlmCostCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileStream _ownership;
    private long _bytes;
    private long _last;

    private DiskSpool(string root, ICostSink[] sinks, LlmCostOptions options, LlmCostCounters counters, TimeProvider time, ILogger logger)
    {
        _counters = counters;
        _time = time;
        _logger = logger;
        _maxBytes = options.DiskSpoolMaxBytes;
        _maxAge = options.DiskSpoolMaxAge;
        CreateFolder(root);
        _ownership = new FileStream(System.IO.Path.Combine(root, "spool.lock"), PrivateFile(System.IO.FileMode.OpenOrCreate, FileAccess.ReadWrite));
        _batches = System.IO.Path.Combine(root, "batches");
        _sinks = System.IO.Path.Combine(root, "sinks");
        CreateFolder(_batches);
        CreateFolder(_sinks);

        foreach (var path in Directory.EnumerateFiles(_batches))
        {
            if (TryParse(System.IO.Path.GetFileName(path), out var entry))
            {
                entry.Bytes = new FileInfo(path).Length;
                _entries[entry.Sequence] = entry;
                _bytes += entry.Bytes;
            }
            else
            {
                File.Delete(path); // a temporary file left by a crash mid-write: its batch was never handed out
            }
        }

        _last = _entries.Count > 0 ? _entries.Keys.Max() : 0;
        var first = _entries.Count > 0 ? _entries.Keys.Min() : _last + 1;
        _keys = SinkKeys(sinks);
        _acks = new long[sinks.Length];
        for (var i = 0; i < sinks.Length; i++)
        {
            var ackPath = AckPath(i);
            if (File.Exists(ackPath) && long.TryParse(File.ReadAllText(ackPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ack))
            {
                _acks[i] = Math.Max(ack, first - 1);
            }
            else
            {
                // A sink this spool has not seen: it takes the records from now on.
                _acks[i] = _last;
                WriteAck(i, _last);
            }
        }

        RemoveAcknowledged();
    }

    /// <summary>Gets the sequence of the newest batch written.</summary>
    public long LastSequence => Interlocked.Read(ref _last);

    /// <summary>Opens the spool the options name, or returns <see langword="null"/> (logged) when there is none or it cannot be used.</summary>
    public static DiskSpool? Open(LlmCostOptions options, ICostSink[] sinks, LlmCostCounters counters, TimeProvider time, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(options.DiskSpoolPath) || sinks.Length == 0)
        {
            return null;
        }

        var root = System.IO.Path.GetFullPath(options.DiskSpoolPath);
        try
        {
            return new DiskSpool(root, sinks, options, counters, time, logger);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SpoolUnavailable(logger, root, ex);
            return null;
        }
    }

    public long Acknowledged(int sink)
    {
        lock (_lock)
        {
            return _acks[sink];
        }
    }

    /// <summary>Writes a batch; returns its sequence, or 0 when it could not be written (logged and counted).</summary>
    public long Append(CostRecord[] records)
    {
        var buffer = new ArrayBufferWriter<byte>(records.Length * 640);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            foreach (var record in records)
            {
                CostRecordJson.Write(writer, record);
                writer.Flush();
                writer.Reset();
                buffer.Write("\n"u8);
            }
        }

        lock (_lock)
        {
            var entry = new Entry(_last + 1, _time.GetUtcNow().ToUnixTimeMilliseconds(), records.Length) { Bytes = buffer.WrittenCount };
            var path = System.IO.Path.Combine(_batches, entry.FileName);
            var temporary = path + ".tmp";
            try
            {
                using (var stream = new FileStream(temporary, PrivateFile(System.IO.FileMode.CreateNew, FileAccess.Write)))
                {
                    stream.Write(buffer.WrittenSpan);
                }

                File.Move(temporary, path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TryDelete(temporary);
                _counters.InternalError();
                Log.SpoolWriteFailed(_logger, records.Length, ex);
                return 0;
            }

            _entries[entry.Sequence] = entry;
            _bytes += entry.Bytes;
            Interlocked.Exchange(ref _last, entry.Sequence);
            Enforce();
            return entry.Sequence;
        }
    }

    /// <summary>Reads a spooled batch back, or returns <see langword="null"/> when it was removed or cannot be read.</summary>
    public CostRecord[]? Read(long sequence)
    {
        string path;
        lock (_lock)
        {
            Enforce();
            if (!_entries.TryGetValue(sequence, out var entry))
            {
                return null;
            }

            path = System.IO.Path.Combine(_batches, entry.FileName);
        }

        try
        {
            var records = new List<CostRecord>();
            foreach (var line in File.ReadLines(path, Encoding.UTF8))
            {
                if (line.Length > 0)
                {
                    records.Add(CostRecordJson.Deserialize(line));
                }
            }

            return records.Count > 0 ? [.. records] : null;
        }
        catch (FileNotFoundException)
        {
            return null; // removed by a bound while it was read (counted there)
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException or InvalidOperationException)
        {
            _counters.InternalError();
            Log.SpoolWriteFailed(_logger, 0, ex);
            lock (_lock)
            {
                Remove(sequence, "unreadable");
            }

            return null;
        }
    }

    /// <summary>Records that a sink took every batch up to <paramref name="sequence"/>; removes batches every sink took.</summary>
    public void Acknowledge(int sink, long sequence)
    {
        lock (_lock)
        {
            if (sequence <= _acks[sink])
            {
                return;
            }

            _acks[sink] = sequence;
            WriteAck(sink, sequence);
            RemoveAcknowledged();
        }
    }

    public void Dispose() => _ownership.Dispose();

    /// <summary>Options for a file only this user can read (0600 on Unix), held exclusively while open.</summary>
    private static FileStreamOptions PrivateFile(System.IO.FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }

    private static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, FolderMode);
        File.SetUnixFileMode(path, FolderMode); // also an existing folder: the spool is never readable by others
    }

    private static string[] SinkKeys(ICostSink[] sinks)
    {
        var keys = new string[sinks.Length];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < sinks.Length; i++)
        {
            var type = sinks[i].GetType();
            var identity = type.FullName ?? type.Name;
            if (sinks[i] is JsonLinesCostSink file)
            {
                identity += "|" + file.Path;
            }
            else
            {
                // Sinks of one type are told apart by their order of registration.
                seen[identity] = seen.TryGetValue(identity, out var n) ? n + 1 : 0;
                identity += "|" + seen[identity].ToString(CultureInfo.InvariantCulture);
            }

            var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(identity));
            keys[i] = type.Name + "-" + hash.ToString("x16", CultureInfo.InvariantCulture);
        }

        return keys;
    }

    private static bool TryParse(string name, out Entry entry)
    {
        entry = null!;
        if (!name.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = name[..^".jsonl".Length].Split('-');
        if (parts.Length != 3
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var time)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return false;
        }

        entry = new Entry(sequence, time, count);
        return true;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind; removed at the next start.
        }
    }

    private string AckPath(int sink) => System.IO.Path.Combine(_sinks, _keys[sink] + ".ack");

    private void WriteAck(int sink, long sequence)
    {
        var path = AckPath(sink);
        var temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, PrivateFile(System.IO.FileMode.Create, FileAccess.Write)))
            {
                stream.Write(Encoding.ASCII.GetBytes(sequence.ToString(CultureInfo.InvariantCulture)));
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The acknowledgement stays in memory; after a restart the batch may be replayed (JSON Lines checks for it).
            _counters.InternalError();
            Log.SpoolWriteFailed(_logger, 0, ex);
        }
    }

    private void RemoveAcknowledged()
    {
        var taken = _acks.Length == 0 ? 0 : _acks.Min();
        while (_entries.Count > 0)
        {
            var first = _entries.First().Value;
            if (first.Sequence > taken)
            {
                break;
            }

            _entries.Remove(first.Sequence);
            _bytes -= first.Bytes;
            TryDelete(System.IO.Path.Combine(_batches, first.FileName));
        }
    }

    /// <summary>Removes the oldest batches past the size or age bound, counting what a sink had not taken.</summary>
    private void Enforce()
    {
        while (_entries.Count > 1 && _bytes > _maxBytes)
        {
            Remove(_entries.First().Key, "size bound"); // the newest batch always stays
        }

        var oldest = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_maxAge.TotalMilliseconds;
        while (_entries.Count > 0 && _entries.First().Value.UnixMs < oldest)
        {
            Remove(_entries.First().Key, "age bound");
        }
    }

    private void Remove(long sequence, string reason)
    {
        if (!_entries.Remove(sequence, out var entry))
        {
            return;
        }

        _bytes -= entry.Bytes;
        TryDelete(System.IO.Path.Combine(_batches, entry.FileName));
        var waiting = _acks.Count(a => a < sequence);
        if (waiting > 0)
        {
            _counters.DroppedBySpool(entry.Count * waiting);
            Log.SpoolDropped(_logger, entry.Count, reason);
        }
    }

    private sealed class Entry(long sequence, long unixMs, int count)
    {
        public long Sequence { get; } = sequence;

        public long UnixMs { get; } = unixMs;

        public int Count { get; } = count;

        public long Bytes { get; set; }

        public string FileName => string.Create(CultureInfo.InvariantCulture, $"{Sequence:D19}-{UnixMs}-{Count}.jsonl");
    }
}
