using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace LlmCost.Sdk;

/// <summary>
/// Encodes cost records as rows of PostgreSQL's binary <c>COPY</c> format (the header, then per row a field count and
/// each field's length and big-endian binary value, then the trailer) into one pooled buffer, written to Npgsql's raw
/// copy stream in large chunks. It replaces 29 <c>NpgsqlBinaryImporter.Write</c> calls per row, each resolving its type
/// handler, with direct writes: the values are those Npgsql would send (uuid in RFC byte order, timestamps as
/// microseconds from 2000-01-01 truncated as Npgsql does, <c>numeric</c> in base-10000 digits with the decimal's scale,
/// text and the record's JSON as UTF-8).
/// </summary>
internal sealed class BinaryCopyWriter : IDisposable
{
    /// <summary>The fields of a row, in the order of the sink's column list.</summary>
    public const short FieldCount = 29;

    /// <summary>The buffer is handed to the stream when it holds this much.</summary>
    internal const int DefaultFlushThreshold = 64 * 1024;

    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;

    private static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private readonly int _flushThreshold;
    private byte[] _buffer;
    private int _length;
    private readonly ArrayBufferWriter<byte> _json = new(4096); // a record's JSON (or extra), reused row after row
    private System.Text.Json.Utf8JsonWriter? _extraWriter;

    /// <summary>Initializes a new instance of the <see cref="BinaryCopyWriter"/> class.</summary>
    /// <param name="flushThreshold">How many bytes <see cref="ShouldFlush"/> waits for.</param>
    public BinaryCopyWriter(int flushThreshold = DefaultFlushThreshold)
    {
        _flushThreshold = flushThreshold;
        _buffer = ArrayPool<byte>.Shared.Rent(flushThreshold + (16 * 1024));
    }

    /// <summary>Gets the bytes encoded and not yet taken by <see cref="Take"/>.</summary>
    public ReadOnlyMemory<byte> Pending => _buffer.AsMemory(0, _length);

    /// <summary>Gets a value indicating whether the pending bytes should be written to the stream now.</summary>
    public bool ShouldFlush => _length >= _flushThreshold;

    /// <summary>Starts the stream: the binary COPY signature, no flags, no header extension.</summary>
    public void WriteHeader() => Append(Header);

    /// <summary>Ends the stream: a field count of −1.</summary>
    public void WriteTrailer() => WriteInt16(-1);

    /// <summary>Forgets the pending bytes, once written to the stream.</summary>
    public void Take() => _length = 0;

    public void Dispose()
    {
        _extraWriter?.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Encodes one record as a row of the sink's 29 columns.</summary>
    /// <param name="record">The record.</param>
    /// <param name="extra">
    /// Whether the last column is <c>extra</c> (schema version 5: only the fields no column holds, <see cref="RecordExtra"/>,
    /// <c>NULL</c> when none) rather than <c>record</c> (before: the whole record's JSON).
    /// </param>
    public void WriteRow(CostRecord record, bool extra = true)
    {
        var usage = record.Usage;
        var tags = record.Tags;
        var cost = record.Cost;
        var price = record.Price;
        WriteInt16(FieldCount);
        WriteUuid(record.Id);
        WriteTimestampTz(record.Timestamp);
        WriteText(record.Provider);
        WriteText(record.Operation);
        WriteText(record.Model);
        WriteText(record.RequestModel);
        WriteText(record.ServiceTier);
        WriteText(record.Region);
        WriteBoolean(record.Streaming);
        if (record.StatusCode is { } status)
        {
            WriteInt32Field(status);
        }
        else
        {
            WriteNull();
        }

        WriteText(record.ErrorType);
        WriteDouble(record.DurationMs);
        WriteText(tags.Feature);
        WriteText(tags.Team);
        WriteText(tags.Customer);
        WriteText(tags.Environment);
        WriteInt64Field(usage.InputTokens);
        WriteInt64Field(usage.CachedInputTokens);
        WriteInt64Field(usage.CacheWriteInputTokens);
        WriteInt64Field(usage.CacheWrite1hInputTokens);
        WriteInt64Field(usage.OutputTokens);
        WriteInt64Field(usage.ReasoningTokens);
        WriteInt64Field(usage.WebSearchRequests);
        WriteText(UsageSourceName(usage.Source));
        if (cost is null)
        {
            WriteNull();
        }
        else
        {
            WriteNumeric(cost.Total);
        }

        if (price is null)
        {
            WriteNull();
            WriteNull();
            WriteNull();
        }
        else
        {
            WriteText(price.TableVersion);
            WriteText(price.Entry);
            WriteDate(price.EffectiveFrom);
        }

        if (!extra)
        {
            WriteJson(record); // the record column is text (json before schema version 4): binary text is the UTF-8
        }
        else if (RecordExtra.HasExtra(record))
        {
            WriteExtra(record);
        }
        else
        {
            WriteNull();
        }
    }

    private void WriteExtra(CostRecord record)
    {
        _json.ResetWrittenCount();
        var writer = _extraWriter ??= RecordExtra.CreateWriter(_json);
        writer.Reset(_json);
        RecordExtra.Write(writer, record);
        writer.Flush();
        var field = Reserve(4 + _json.WrittenCount);
        BinaryPrimitives.WriteInt32BigEndian(field, _json.WrittenCount);
        _json.WrittenSpan.CopyTo(field[4..]);
    }

    /// <summary>The fields of a rollup row (<see cref="WriteRollupRow"/>) before schema version 6, in the order of <c>cost_rollups</c>' columns.</summary>
    public const short RollupFieldCount = 13;

    /// <summary>
    /// Encodes one row of <c>cost_rollups</c>: bucket, the grain when <paramref name="grain"/> (schema version 6,
    /// <see cref="PostgreSqlSchema.RollupGrainAppendCopy"/>), provider, model, feature, team, customer, environment, calls,
    /// unpriced calls, input, cached input and output tokens, cost (from schema version 5: appended by a plain COPY).
    /// </summary>
    public void WriteRollupRow(in RollupKey key, in RollupSums sums, bool grain)
    {
        WriteInt16(grain ? (short)(RollupFieldCount + 1) : RollupFieldCount);
        WriteTimestampTz(new DateTimeOffset(key.Bucket));
        if (grain)
        {
            WriteInt16Field(key.Grain);
        }

        WriteText(key.Provider);
        WriteText(key.Model);
        WriteText(key.Feature);
        WriteText(key.Team);
        WriteText(key.Customer);
        WriteText(key.Environment);
        WriteInt64Field(sums.Calls);
        WriteInt64Field(sums.UnpricedCalls);
        WriteInt64Field(sums.InputTokens);
        WriteInt64Field(sums.CachedInputTokens);
        WriteInt64Field(sums.OutputTokens);
        WriteNumeric(sums.Cost);
    }

    /// <summary>The record's JSON as UTF-8 straight from the core's writer (no string between), then copied into the row.</summary>
    private void WriteJson(CostRecord record)
    {
        _json.ResetWrittenCount();
        record.WriteJson(_json);
        var field = Reserve(4 + _json.WrittenCount);
        BinaryPrimitives.WriteInt32BigEndian(field, _json.WrittenCount);
        _json.WrittenSpan.CopyTo(field[4..]);
    }

    /// <summary>
    /// Encodes a decimal as PostgreSQL's binary <c>numeric</c>: digit count, weight (of the first base-10000 digit),
    /// sign, display scale (the decimal's scale, so 1.50 stays 1.50), then the base-10000 digits, most significant first,
    /// without leading or trailing zero digits.
    /// </summary>
    internal void WriteNumeric(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        var unscaled = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];

        // Align the fraction on whole base-10000 digits: at most 28 + 3 decimal places, 96 bits × 1000 fits in 128.
        var pad = (4 - (scale % 4)) % 4;
        for (var i = 0; i < pad; i++)
        {
            unscaled *= 10;
        }

        var fractionDigits = (scale + pad) / 4;
        Span<short> digits = stackalloc short[16]; // least significant first
        var count = 0;
        while (unscaled != 0)
        {
            digits[count++] = (short)(ushort)(unscaled % 10000);
            unscaled /= 10000;
        }

        var low = 0;
        while (low < count && digits[low] == 0)
        {
            low++; // trailing zero digits of the value
        }

        var stored = count - low;
        var field = Reserve(4 + 8 + (2 * stored));
        BinaryPrimitives.WriteInt32BigEndian(field, 8 + (2 * stored));
        BinaryPrimitives.WriteInt16BigEndian(field[4..], (short)stored);
        BinaryPrimitives.WriteInt16BigEndian(field[6..], (short)(stored == 0 ? 0 : count - 1 - fractionDigits));
        BinaryPrimitives.WriteUInt16BigEndian(field[8..], stored != 0 && negative ? (ushort)0x4000 : (ushort)0);
        BinaryPrimitives.WriteInt16BigEndian(field[10..], (short)scale);
        for (var i = 0; i < stored; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(field[(12 + (2 * i))..], digits[count - 1 - i]);
        }
    }

    private static string UsageSourceName(UsageSource source) => source switch
    {
        UsageSource.Provider => "provider",
        UsageSource.Estimated => "estimated",
        _ => "none",
    };

    private void WriteText(string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }

        var field = Reserve(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var written = Encoding.UTF8.GetBytes(value, field[4..]);
        BinaryPrimitives.WriteInt32BigEndian(field, written);
        _length -= field.Length - 4 - written; // give back what the worst case reserved
    }

    private void WriteUuid(Guid value)
    {
        var field = Reserve(4 + 16);
        BinaryPrimitives.WriteInt32BigEndian(field, 16);
        value.TryWriteBytes(field[4..], bigEndian: true, out _);
    }

    private void WriteTimestampTz(DateTimeOffset value)
    {
        var field = Reserve(4 + 8);
        BinaryPrimitives.WriteInt32BigEndian(field, 8);
        BinaryPrimitives.WriteInt64BigEndian(field[4..], (value.UtcTicks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);
    }

    private void WriteDate(DateOnly value)
    {
        var field = Reserve(4 + 4);
        BinaryPrimitives.WriteInt32BigEndian(field, 4);
        BinaryPrimitives.WriteInt32BigEndian(field[4..], value.DayNumber - PostgresEpochDay);
    }

    private void WriteBoolean(bool value)
    {
        var field = Reserve(4 + 1);
        BinaryPrimitives.WriteInt32BigEndian(field, 1);
        field[4] = value ? (byte)1 : (byte)0;
    }

    private void WriteInt16Field(short value)
    {
        var field = Reserve(4 + 2);
        BinaryPrimitives.WriteInt32BigEndian(field, 2);
        BinaryPrimitives.WriteInt16BigEndian(field[4..], value);
    }

    private void WriteInt32Field(int value)
    {
        var field = Reserve(4 + 4);
        BinaryPrimitives.WriteInt32BigEndian(field, 4);
        BinaryPrimitives.WriteInt32BigEndian(field[4..], value);
    }

    private void WriteInt64Field(long value)
    {
        var field = Reserve(4 + 8);
        BinaryPrimitives.WriteInt32BigEndian(field, 8);
        BinaryPrimitives.WriteInt64BigEndian(field[4..], value);
    }

    private void WriteDouble(double value)
    {
        var field = Reserve(4 + 8);
        BinaryPrimitives.WriteInt32BigEndian(field, 8);
        BinaryPrimitives.WriteDoubleBigEndian(field[4..], value);
    }

    private void WriteNull() => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), -1);

    private void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);

    private void Append(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Returns the next <paramref name="size"/> bytes of the buffer (grown when needed) and counts them as written.</summary>
    private Span<byte> Reserve(int size)
    {
        if (_length + size > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + size));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var span = _buffer.AsSpan(_length, size);
        _length += size;
        return span;
    }
}
