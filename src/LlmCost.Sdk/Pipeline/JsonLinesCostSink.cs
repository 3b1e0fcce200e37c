using System.Buffers;
using System.Text.Json;

namespace LlmCost.Sdk;

/// <summary>
/// A sink that appends each record as one line of JSON to a file (JSON Lines), in the record format of docs/ARCHITECTURE.md ("The record").
/// </summary>
/// <remarks>
/// Each batch is serialized first and appended with a single write, then flushed to disk, so a crash loses at most the
/// batch in flight. The file is opened per batch and stays shared for reading and deleting, so it can be tailed,
/// rotated or shipped while the app runs. Writers take turns through a lock file beside it (<c>&lt;path&gt;.lock</c>,
/// held exclusively for the append): two processes (or two sinks) appending to one file never overwrite each other's
/// lines — .NET's <see cref="FileMode.Append"/> seeks to the end once rather than appending atomically — and a writer
/// that finds the lock taken fails that attempt, which the pipeline retries with backoff. The folder is created when
/// missing. Files are UTF-8 without a byte-order mark, lines end with <c>\n</c>.
/// </remarks>
public sealed class JsonLinesCostSink : ICostSink
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true, Encoder = CostRecordJson.Encoder };

    /// <summary>Initializes a new instance of the <see cref="JsonLinesCostSink"/> class.</summary>
    /// <param name="path">The file to append to; relative paths are relative to the current directory.</param>
    public JsonLinesCostSink(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    /// <summary>Gets the full path of the file.</summary>
    public string Path { get; }

    private string LockPath => Path + ".lock";

    /// <inheritdoc />
    public async Task WriteAsync(IReadOnlyList<CostRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(records.Count * 640);
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

        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // The lock file is held (FileShare.None) for the whole append; readers of the data file are not affected.
        var writerLock = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        await using (writerLock.ConfigureAwait(false))
        {
            var stream = new FileStream(Path, new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.Asynchronous,
            });
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Tells whether the file's last 8 MiB hold a record with this id: the disk spool asks before it replays the batch a
    /// crash may have left half-acknowledged, so a replay never appends a line twice.
    /// </summary>
    internal bool Contains(Guid id)
    {
        const int Tail = 8 * 1024 * 1024;
        try
        {
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = (int)Math.Min(stream.Length, Tail);
            stream.Seek(-length, SeekOrigin.End);
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                stream.ReadExactly(buffer, 0, length);
                var needle = System.Text.Encoding.UTF8.GetBytes("\"id\":\"" + id.ToString("D") + "\"");
                return buffer.AsSpan(0, length).IndexOf(needle) >= 0;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }
}
