using Npgsql;

namespace LlmCost.Sdk.Storage.Tests.PostgreSql;

/// <summary>
/// The sink's own binary COPY encoder (<see cref="BinaryCopyWriter"/>) against a real PostgreSQL: every value reads back
/// as written, in particular decimals as <c>numeric</c> with their scale, timestamps to the microsecond, and text in any
/// script.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlBinaryCopyTests(PostgresServer server)
{
    private static readonly string[] Decimals =
    [
        "0", "0.0", "1", "-1", "0.0264142", "1.50", "10000", "9999.9999", "0.0001", "0.00001", "123456789.123456789",
        "-0.000000000000000000000000001", "0.0000000000000000000000000001", "79228162514264337593543950335",
        "-79228162514264337593543950335", "7.9228162514264337593543950335", "100000000", "0.10000000", "12345678901234567890.12345678",
    ];

    [Fact]
    public async Task Decimals_AsNumeric_ReadBackExactlyWithTheirScale()
    {
        var values = Decimals.Select(d => decimal.Parse(d, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var cs = await server.CreateDatabaseAsync();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync([.. values.Select((v, i) => StoreRecords.At(StoreRecords.Day.AddSeconds(i), v))], CancellationToken.None);
        }

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        var read = new List<(decimal, string)>();
        await using (var command = new NpgsqlCommand("SELECT cost_total, cost_total::text FROM cost_records ORDER BY \"timestamp\";", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                read.Add((reader.GetDecimal(0), reader.GetString(1)));
            }
        }

        Assert.Equal(values.Select(v => (v, v.ToString(System.Globalization.CultureInfo.InvariantCulture))), read);

        // The rollup (whose sums a decimal cannot always hold, here the two extremes in one group: summed by PostgreSQL)
        // is exactly the records' sum.
        // Read both ways a reader reads the rollup: without the customer (grains 0 and 1) and by customer (0 and 2).
        foreach (var notGrain in new[] { PostgreSqlSchema.CustomerGrain, PostgreSqlSchema.WithoutCustomerGrain })
        {
            Assert.Equal(true, await ScalarAsync(connection, $"SELECT (SELECT sum(cost) FROM cost_rollups WHERE grain <> {notGrain}) = (SELECT sum(cost_total) FROM cost_records);"));
            Assert.Equal((long)values.Length, await ScalarAsync(connection, $"SELECT sum(calls)::bigint FROM cost_rollups WHERE grain <> {notGrain};"));
        }
    }

    [Theory]
    [InlineData("1.5", "2.25", true)]
    [InlineData("0", "0.0000000000000000000000000001", true)]
    [InlineData("79228162514264337593543950335", "1", false)]                             // overflows
    [InlineData("79228162514264337593543950335", "0.1", false)]                           // rounded to fit 96 bits
    [InlineData("7.9228162514264337593543950335", "0.0000000000000000000000000001", false)] // the same at scale 28
    [InlineData("-1.50", "1.50", true)]
    public void TryAddExactly_RefusesSumsADecimalWouldRound(string a, string b, bool exact)
    {
        var x = decimal.Parse(a, System.Globalization.CultureInfo.InvariantCulture);
        var y = decimal.Parse(b, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(exact, RollupDelta.TryAddExactly(x, y, out var sum));
        if (exact)
        {
            Assert.Equal(x + y, sum);
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task EveryColumn_ReadsBackAsTheRecordHasIt()
    {
        var full = StoreRecords.Full() with { Timestamp = new DateTimeOffset(1999, 12, 31, 23, 59, 59, 999, TimeSpan.FromHours(-5)).AddTicks(9990), ErrorType = "rate_limited", StatusCode = 429 };
        var sparse = StoreRecords.At(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero), null, model: null, environment: null) with
        {
            Tags = new LlmCostTags { Feature = "naïve 日本語 🚀 \"quoted\" \\ back" },
            Usage = new TokenUsage { InputTokens = long.MaxValue, OutputTokens = 0, Source = UsageSource.Estimated },
            StatusCode = null,
            DurationMs = 0.1,
        };
        var cs = await server.CreateDatabaseAsync();
        await using (var sink = new PostgreSqlCostSink(cs))
        {
            await sink.WriteAsync([full, sparse], CancellationToken.None);
        }

        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT id, "timestamp", provider, operation, model, request_model, service_tier, region, streaming, status_code, error_type,
                duration_ms, feature, team, customer, environment, input_tokens, cached_input_tokens, cache_write_input_tokens,
                cache_write_1h_input_tokens, output_tokens, reasoning_tokens, web_search_requests, usage_source, cost_total,
                price_table_version, price_entry, price_effective_from, extra
            FROM cost_records ORDER BY "timestamp";
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        foreach (var expected in new[] { full, sparse })
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(expected.Id, reader.GetGuid(0));
            Assert.Equal(expected.Timestamp.UtcTicks / 10 * 10, reader.GetFieldValue<DateTimeOffset>(1).UtcTicks); // microseconds
            Assert.Equal(
                [expected.Provider, expected.Operation, expected.Model, expected.RequestModel, expected.ServiceTier, expected.Region],
                Enumerable.Range(2, 6).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)));
            Assert.Equal(expected.Streaming, reader.GetBoolean(8));
            Assert.Equal(expected.StatusCode, reader.IsDBNull(9) ? null : reader.GetInt32(9));
            Assert.Equal(expected.ErrorType, reader.IsDBNull(10) ? null : reader.GetString(10));
            Assert.Equal(expected.DurationMs, reader.GetDouble(11));
            Assert.Equal(
                [expected.Tags.Feature, expected.Tags.Team, expected.Tags.Customer, expected.Tags.Environment],
                Enumerable.Range(12, 4).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i)));
            var u = expected.Usage;
            Assert.Equal(
                [u.InputTokens, u.CachedInputTokens, u.CacheWriteInputTokens, u.CacheWrite1hInputTokens, u.OutputTokens, u.ReasoningTokens, u.WebSearchRequests],
                Enumerable.Range(16, 7).Select(reader.GetInt64));
            Assert.Equal(u.Source == UsageSource.Provider ? "provider" : "estimated", reader.GetString(23));
            Assert.Equal(expected.Cost?.Total, reader.IsDBNull(24) ? null : reader.GetDecimal(24));
            Assert.Equal(expected.Price?.TableVersion, reader.IsDBNull(25) ? null : reader.GetString(25));
            Assert.Equal(expected.Price?.Entry, reader.IsDBNull(26) ? null : reader.GetString(26));
            Assert.Equal(expected.Price?.EffectiveFrom, reader.IsDBNull(27) ? null : reader.GetFieldValue<DateOnly>(27));
            Assert.Equal(RecordExtra.HasExtra(expected), !reader.IsDBNull(28));
            Assert.Equal(expected.ToJson(), PostgreSqlCostRecordStore.ReadRecord(reader).ToJson()); // the columns and extra are the whole record
        }
    }
}
