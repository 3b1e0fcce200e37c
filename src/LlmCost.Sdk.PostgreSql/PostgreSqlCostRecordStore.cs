using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;

namespace LlmCost.Sdk;

/// <summary>
/// Reads the PostgreSQL table written by <see cref="PostgreSqlCostSink"/>: sums per time bucket and group for reports
/// (<see cref="ICostRecordQuery"/>), and the records themselves.
/// </summary>
/// <remarks>
/// The sums are computed by PostgreSQL (<c>GROUP BY date_bin(...)</c> and the dimensions), so memory does not grow with
/// the number of records; costs are summed as <c>numeric</c>, exactly. From schema version 2 they are read from
/// <c>cost_rollups</c>, which the database keeps per 15-minute bucket and group as records are written, so a report reads
/// one row per bucket and group rather than one per record; from schema version 6 a row keeps either the five dimensions
/// other than the customer or the customer alone, so a grouping of the customer with another dimension reads the records
/// (and so does any query when a sink wrote without the rollup,
/// <see cref="PostgreSqlCostSinkOptions.Rollup"/>, since it was last rebuilt; and a range that does not start and end on a 15-minute boundary
/// falls back to the records, through an index-only scan of <c>ix_cost_records_aggregate</c>, as version 1 does). The query runs in a read-only transaction with <c>work_mem</c> raised to 256 MB for it alone (the planner estimates a hash aggregate by its groups: below that it chose a sort spilling ~570 MB to disk for a 10 M-record month by grouping sets, where the hash needs ~18 MB). Each
/// call opens its own pooled connection: the store is thread-safe. Tables are unqualified: choose the schema with
/// <c>Search Path</c> in the connection string.
/// </remarks>
public sealed class PostgreSqlCostRecordStore : ICostRecordQuery
{
    /// <summary>The rollup is read while it has at most this share of the records' rows.</summary>
    private const double RollupShareLimit = 0.5;

    private readonly string _connectionString;

    /// <summary>Initializes a new instance of the <see cref="PostgreSqlCostRecordStore"/> class. Nothing is opened until a query runs.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    public PostgreSqlCostRecordStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // a malformed connection string fails here
        _connectionString = connectionString;
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The database has no LlmCost schema, or a newer package version wrote it.</exception>
    /// <exception cref="ArgumentException">The bucket size is not a positive whole multiple of <see cref="CostAggregateQuery.DefaultBucketSize"/>, or <see cref="CostAggregateQuery.GroupBy"/> is null or names an unknown dimension.</exception>
    /// <remarks>Several <see cref="CostAggregateQuery.GroupingSets"/> are one statement (<c>GROUP BY GROUPING SETS</c>): one read of the rollup or the records.</remarks>
    public IAsyncEnumerable<CostAggregate> AggregateAsync(CostAggregateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        _ = BuildAggregateSql(query.EffectiveGroupingSets, AggregateSource.Records, out _); // an unknown dimension fails here, not in the enumeration
        return AggregateCoreAsync(query, cancellationToken);
    }

    /// <summary>Reads the records whose timestamp is in [<paramref name="from"/>, <paramref name="to"/>), oldest first, one at a time.</summary>
    /// <param name="from">The start of the range (inclusive).</param>
    /// <param name="to">The end of the range (exclusive).</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The records, parsed from their stored JSON.</returns>
    public async IAsyncEnumerable<CostRecord> ReadRecordsAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (connection, version) = await OpenWithVersionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // From schema version 5 the record is its columns and extra (the fields no column holds); before, its JSON.
            var columns = version >= PostgreSqlSchema.ExtraVersion ? RecordColumns : "record::text";
            var command = new NpgsqlCommand(
                "SELECT " + columns + " FROM cost_records WHERE \"timestamp\" >= @from AND \"timestamp\" < @to ORDER BY \"timestamp\", id;",
                connection);
            await using (command.ConfigureAwait(false))
            {
                command.Parameters.AddWithValue("from", from.ToUniversalTime());
                command.Parameters.AddWithValue("to", to.ToUniversalTime());
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield return version >= PostgreSqlSchema.ExtraVersion ? ReadRecord(reader) : CostRecord.FromJson(reader.GetString(0));
                    }
                }
            }
        }
    }

    /// <summary>The columns <see cref="ReadRecord"/> reads, in its order.</summary>
    internal const string RecordColumns = """
        id, "timestamp", provider, operation, model, request_model, service_tier, region, streaming, status_code, error_type,
        duration_ms, feature, team, customer, environment, input_tokens, cached_input_tokens, cache_write_input_tokens,
        cache_write_1h_input_tokens, output_tokens, reasoning_tokens, web_search_requests, usage_source, cost_total,
        price_table_version, price_entry, price_effective_from, extra
        """;

    /// <summary>Rebuilds a record from its row (schema version 5: the columns of <see cref="RecordColumns"/>, the rest from <c>extra</c>).</summary>
    internal static CostRecord ReadRecord(NpgsqlDataReader reader)
    {
        var extra = RecordExtra.Read(reader.IsDBNull(28) ? null : reader.GetString(28));
        var tags = new LlmCostTags
        {
            Feature = Text(reader, 12),
            Team = Text(reader, 13),
            Customer = Text(reader, 14),
            Environment = Text(reader, 15),
        };
        if (extra.CustomTags is { } custom)
        {
            foreach (var (key, value) in custom)
            {
                tags.Custom[key] = value;
            }
        }

        return new CostRecord
        {
            Id = reader.GetGuid(0),
            Timestamp = reader.GetFieldValue<DateTimeOffset>(1),
            Provider = reader.GetString(2),
            Operation = reader.GetString(3),
            Model = Text(reader, 4),
            RequestModel = Text(reader, 5),
            ServiceTier = Text(reader, 6),
            Region = Text(reader, 7),
            Streaming = reader.GetBoolean(8),
            StatusCode = reader.IsDBNull(9) ? null : reader.GetInt32(9),
            ErrorType = Text(reader, 10),
            DurationMs = reader.GetDouble(11),
            Tags = tags,
            Usage = new TokenUsage
            {
                InputTokens = reader.GetInt64(16),
                CachedInputTokens = reader.GetInt64(17),
                CacheWriteInputTokens = reader.GetInt64(18),
                CacheWrite1hInputTokens = reader.GetInt64(19),
                OutputTokens = reader.GetInt64(20),
                ReasoningTokens = reader.GetInt64(21),
                WebSearchRequests = reader.GetInt64(22),
                AudioInputTokens = extra.AudioInputTokens,
                AudioOutputTokens = extra.AudioOutputTokens,
                ImageInputTokens = extra.ImageInputTokens,
                ImageOutputTokens = extra.ImageOutputTokens,
                VideoInputTokens = extra.VideoInputTokens,
                VideoOutputTokens = extra.VideoOutputTokens,
                Source = reader.GetString(23) switch
                {
                    "provider" => UsageSource.Provider,
                    "estimated" => UsageSource.Estimated,
                    _ => UsageSource.None,
                },
            },
            Cost = reader.IsDBNull(24) ? null : new CostBreakdown
            {
                Currency = extra.Currency,
                Input = extra.Input,
                CachedInput = extra.CachedInput,
                CacheWrite = extra.CacheWrite,
                Output = extra.Output,
                Requests = extra.Requests,
                ReportedByProvider = extra.ReportedByProvider,
                Total = reader.GetDecimal(24),
            },
            Price = reader.IsDBNull(25) ? null : new PriceReference
            {
                TableVersion = reader.GetString(25),
                Entry = Text(reader, 26) ?? string.Empty,
                EffectiveFrom = reader.IsDBNull(27) ? default : reader.GetFieldValue<DateOnly>(27),
                EffectiveFromTime = extra.EffectiveFromTime,
                RequestModelFallback = extra.RequestModelFallback,
            },
        };
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private async IAsyncEnumerable<CostAggregate> AggregateCoreAsync(CostAggregateQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (connection, version) = await OpenWithVersionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var sets = query.EffectiveGroupingSets;
            var source = SourceFor(version, sets);
            if (source != AggregateSource.Records
                && !(OnRollupBuckets(query) && await RollupIsUsableAsync(connection, version, cancellationToken).ConfigureAwait(false)))
            {
                source = AggregateSource.Records;
            }

            var sql = BuildAggregateSql(sets, source, out var columns);
            var shape = new AggregateShape(sets, columns);
            // A month of 15-minute buckets by a dimension is tens of thousands of groups: enough memory for the hash
            // aggregate to stay in memory (PostgreSQL's default 4 MB spills it to disk), for this transaction only.
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                using (var settings = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL work_mem = '256MB';", connection, transaction))
                {
                    await settings.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                var command = new NpgsqlCommand(sql, connection, transaction);
                await using (command.ConfigureAwait(false))
                {
                    command.Parameters.AddWithValue("from", query.From.ToUniversalTime());
                    command.Parameters.AddWithValue("to", query.To.ToUniversalTime());
                    command.Parameters.AddWithValue("bucket", query.BucketSize);
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            yield return shape.Read(reader);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Whether the range starts and ends on 15-minute boundaries from the Unix epoch, so the rollup's buckets fall wholly
    /// inside or outside it (every bucket size is a multiple of 15 minutes; a report's local days always start on one).
    /// </summary>
    internal static bool OnRollupBuckets(CostAggregateQuery query)
    {
        var quantum = CostAggregateQuery.DefaultBucketSize.Ticks;
        return (query.From.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % quantum == 0
            && (query.To.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) % quantum == 0;
    }

    /// <summary>
    /// What a schema version's rollup can answer for these groupings: before version 2 nothing; from version 6 only
    /// groupings without the customer, and the customer alone (a row keeps either the five other dimensions or the
    /// customer); between, any grouping.
    /// </summary>
    internal static AggregateSource SourceFor(int version, IReadOnlyList<IReadOnlyList<CostDimension>> sets) =>
        version < PostgreSqlSchema.RollupVersion ? AggregateSource.Records
        : version < PostgreSqlSchema.GrainVersion ? AggregateSource.Rollup
        : sets.All(set => !set.Contains(CostDimension.Customer) || set.All(d => d == CostDimension.Customer)) ? AggregateSource.GrainedRollup
        : AggregateSource.Records;

    /// <summary>The aggregate of one grouping (see the overload for several).</summary>
    internal static string BuildAggregateSql(IReadOnlyList<CostDimension> groupBy, AggregateSource source) => BuildAggregateSql([groupBy], source, out _);

    /// <summary>
    /// The aggregate: UTC buckets from the Unix epoch (<c>date_bin</c>), the groups' columns, exact sums; from the
    /// 15-minute rollup (one row per bucket and group) or from the records, as <paramref name="source"/> says.
    /// Several sets are one <c>GROUP BY GROUPING SETS</c> whose rows carry <c>grouping(…)</c> of every column after the
    /// columns (a bit set for each column the row's set does not group by), so a row is told to its set. From the
    /// grained rollup (schema version 6) the sets without the customer read grains 0 and 1, and the customer alone reads
    /// grains 0 and 2 in a second <c>SELECT</c> (<c>UNION ALL</c>) whose rows carry the same mask as a constant; the
    /// customer is then the last column.
    /// </summary>
    /// <param name="sets">The groupings.</param>
    /// <param name="source">Where to read: for <see cref="AggregateSource.GrainedRollup"/> every set is without the customer or the customer alone.</param>
    /// <param name="columns">The dimensions selected after the bucket, in order: every dimension of any set once.</param>
    internal static string BuildAggregateSql(IReadOnlyList<IReadOnlyList<CostDimension>> sets, AggregateSource source, out CostDimension[] columns)
    {
        columns = [.. sets.SelectMany(set => set).Distinct()];
        if (source != AggregateSource.GrainedRollup)
        {
            return BuildAggregateSql(sets, source, columns, grainFilter: null);
        }

        var customerOnly = sets.Where(set => set.Contains(CostDimension.Customer)).ToArray();
        var others = sets.Where(set => !set.Contains(CostDimension.Customer)).ToArray();
        if (customerOnly.Any(set => set.Any(d => d != CostDimension.Customer)))
        {
            throw new ArgumentException("The grained rollup groups by the customer alone or without it.", nameof(sets));
        }

        if (customerOnly.Length == 0)
        {
            return BuildAggregateSql(sets, source, columns, $"grain <> {PostgreSqlSchema.CustomerGrain}");
        }

        if (others.Length == 0)
        {
            return BuildAggregateSql(sets, source, columns, $"grain <> {PostgreSqlSchema.WithoutCustomerGrain}");
        }

        // The customer last: the first SELECT's mask is grouping() of the other columns, shifted, with the customer's bit
        // (the lowest) set; the second's is every bit but the customer's.
        columns = [.. columns.Where(d => d != CostDimension.Customer), CostDimension.Customer];
        var withoutCustomer = BuildAggregateSql(others, source, columns[..^1], $"grain <> {PostgreSqlSchema.CustomerGrain}", customerAfter: true);
        var customer = BuildAggregateSql([[CostDimension.Customer]], source, [CostDimension.Customer], $"grain <> {PostgreSqlSchema.WithoutCustomerGrain}", nullsBefore: columns.Length - 1);
        return withoutCustomer.TrimEnd(';') + "\nUNION ALL\n" + customer;
    }

    /// <summary>One <c>SELECT</c> of the aggregate (see the public overload).</summary>
    /// <param name="sets">Its groupings.</param>
    /// <param name="source">Where it reads.</param>
    /// <param name="columns">Its dimensions after the bucket.</param>
    /// <param name="grainFilter">The rollup's rows it reads (schema version 6), or null for all.</param>
    /// <param name="customerAfter">
    /// Whether a <c>NULL</c> customer column follows its columns (the first part of the grained rollup's two): its mask
    /// then always follows, with the customer's bit (the lowest) set.
    /// </param>
    /// <param name="nullsBefore">
    /// For the second part (the customer alone), how many <c>NULL</c> columns come before its column; its mask is then
    /// the constant with every bit set but the customer's, the last. Null for any other <c>SELECT</c>.
    /// </param>
    private static string BuildAggregateSql(
        IReadOnlyList<IReadOnlyList<CostDimension>> sets,
        AggregateSource source,
        CostDimension[] columns,
        string? grainFilter,
        bool customerAfter = false,
        int? nullsBefore = null)
    {
        var leadingNulls = nullsBefore ?? 0;
        var fromRollups = source != AggregateSource.Records;
        var expressions = columns.Select(d => fromRollups ? RollupColumn(d) : Column(d)).ToArray();
        var sql = new StringBuilder(fromRollups
            ? "SELECT date_bin(@bucket, bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS b"
            : "SELECT date_bin(@bucket, \"timestamp\", TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket");
        for (var i = 0; i < leadingNulls; i++)
        {
            sql.Append(", NULL::text");
        }

        foreach (var expression in expressions)
        {
            sql.Append(", ").Append(expression);
        }

        if (customerAfter)
        {
            sql.Append(", NULL::text");
        }

        if (nullsBefore is { } before)
        {
            sql.Append(", ").Append(((1 << (before + 1)) - 2).ToString(CultureInfo.InvariantCulture));
        }
        else if (sets.Count > 1 || customerAfter)
        {
            var grouping = expressions.Length == 0 ? "0" : "grouping(" + string.Join(", ", expressions) + ")";
            sql.Append(", ").Append(customerAfter ? "(" + grouping + " << 1) | 1" : grouping);
        }

        sql.Append(fromRollups
            ? """

                , sum(calls)::bigint, sum(unpriced_calls)::bigint, sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint,
                sum(output_tokens)::bigint, coalesce(sum(cost), 0)
                FROM cost_rollups
                WHERE bucket >= @from AND bucket < @to
                """
            : """

                , count(*), count(*) - count(cost_total), sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint,
                sum(output_tokens)::bigint, coalesce(sum(cost_total), 0)
                FROM cost_records
                WHERE "timestamp" >= @from AND "timestamp" < @to
                """);
        if (grainFilter is not null)
        {
            sql.Append(" AND ").Append(grainFilter);
        }

        sql.Append("\nGROUP BY ");
        var ordinals = columns;
        string Set(IReadOnlyList<CostDimension> set) =>
            string.Concat(set.Select(d => ", " + (Array.IndexOf(ordinals, d) + 2 + leadingNulls).ToString(CultureInfo.InvariantCulture)));
        if (sets.Count == 1)
        {
            sql.Append('1').Append(Set(sets[0]));
        }
        else
        {
            sql.Append("GROUPING SETS (").AppendJoin(", ", sets.Select(set => "(1" + Set(set) + ")")).Append(')');
        }

        // In the rollup, a group whose records were all deleted is no group.
        return sql.Append(fromRollups ? " HAVING sum(calls) <> 0;" : ";").ToString();
    }

    private static string Column(CostDimension dimension) => dimension switch
    {
        CostDimension.Provider => "provider",
        CostDimension.Model => "coalesce(model, request_model)",
        CostDimension.Feature => "feature",
        CostDimension.Team => "team",
        CostDimension.Customer => "customer",
        CostDimension.Environment => "environment",
        _ => throw new ArgumentException($"Unknown dimension {dimension}.", nameof(dimension)),
    };

    /// <summary>
    /// Whether the rollup is complete (from schema version 3: no sink wrote without it since it was last rebuilt) and
    /// holds clearly fewer rows than the records (the planner's estimates, free to read). It does when many records
    /// share a 15-minute bucket and group; when nearly every record is its own group (a high-cardinality tag such as one
    /// customer per call), the rollup is as large as the records and the covering index of the records is the cheaper
    /// read, so the query uses that. Unknown estimates (never analyzed) count as smaller: the rollup is never larger.
    /// </summary>
    private static async Task<bool> RollupIsUsableAsync(NpgsqlConnection connection, int version, CancellationToken cancellationToken)
    {
        var complete = version >= PostgreSqlSchema.ClientRollupVersion
            ? "(SELECT coalesce(bool_and(complete), true) FROM llmcost_rollup_status)"
            : "true";
        using var command = new NpgsqlCommand(
            $"""
            SELECT (SELECT reltuples::float8 FROM pg_class WHERE oid = 'cost_rollups'::regclass),
                   (SELECT sum(greatest(c.reltuples, 0))::float8 FROM pg_partition_tree('cost_records') t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf),
                   {complete};
            """,
            connection);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var rollups = reader.IsDBNull(0) ? -1d : reader.GetDouble(0);
            var records = reader.IsDBNull(1) ? 0d : reader.GetDouble(1);
            return reader.GetBoolean(2) && (rollups < 0 || records <= 0 || rollups <= records * RollupShareLimit);
        }
    }

    private static string RollupColumn(CostDimension dimension) => dimension switch
    {
        CostDimension.Model => "model", // the rollup keeps coalesce(model, request_model)
        _ => Column(dimension),
    };

    private async Task<(NpgsqlConnection Connection, int Version)> OpenWithVersionAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var version = await PostgreSqlSchema.ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
            if (version == 0)
            {
                throw new InvalidOperationException(
                    $"The database '{connection.Database}' has no LlmCost schema (no llmcost_schema_version table in the search path). Write to it with AddPostgreSqlSink first.");
            }

            PostgreSqlSchema.ThrowIfNewer(version);
            return (connection, version);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>How a row of the aggregate maps to a <see cref="CostAggregate"/>: which set it belongs to and where its keys are.</summary>
    private sealed class AggregateShape
    {
        private readonly int[][] _keyColumns;
        private readonly Dictionary<int, int>? _setOfMask;
        private readonly int _sums;

        public AggregateShape(IReadOnlyList<IReadOnlyList<CostDimension>> sets, CostDimension[] columns)
        {
            _keyColumns = [.. sets.Select(set => set.Select(d => 1 + Array.IndexOf(columns, d)).ToArray())];
            if (sets.Count > 1)
            {
                // grouping(a, b, c) has bit 2 for a, 1 for b and 0 for c, set when the row's set does not group by it.
                _setOfMask = [];
                for (var s = 0; s < sets.Count; s++)
                {
                    var mask = 0;
                    for (var i = 0; i < columns.Length; i++)
                    {
                        if (!sets[s].Contains(columns[i]))
                        {
                            mask |= 1 << (columns.Length - 1 - i);
                        }
                    }

                    _setOfMask[mask] = s;
                }
            }

            _sums = 1 + columns.Length + (_setOfMask is null ? 0 : 1);
        }

        public CostAggregate Read(NpgsqlDataReader reader)
        {
            var set = _setOfMask is null ? 0 : _setOfMask[reader.GetInt32(_sums - 1)];
            var columns = _keyColumns[set];
            var keys = new string?[columns.Length];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = reader.IsDBNull(columns[i]) ? null : reader.GetString(columns[i]);
            }

            var c = _sums;
            return new CostAggregate
            {
                BucketStart = reader.GetFieldValue<DateTimeOffset>(0),
                Keys = keys,
                GroupingSet = set,
                Calls = reader.GetInt64(c),
                UnpricedCalls = reader.GetInt64(c + 1),
                InputTokens = reader.GetInt64(c + 2),
                CachedInputTokens = reader.GetInt64(c + 3),
                OutputTokens = reader.GetInt64(c + 4),
                Cost = reader.GetDecimal(c + 5),
            };
        }
    }
}

/// <summary>Where an aggregate is read.</summary>
internal enum AggregateSource
{
    /// <summary><c>cost_records</c>, through its covering index.</summary>
    Records,

    /// <summary><c>cost_rollups</c> of schema versions 2 to 5: every row keeps all six dimensions.</summary>
    Rollup,

    /// <summary><c>cost_rollups</c> from schema version 6: by grain (<see cref="PostgreSqlSchema.GrainVersion"/>).</summary>
    GrainedRollup,
}
