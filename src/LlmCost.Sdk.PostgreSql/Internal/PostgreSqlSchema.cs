using Microsoft.Extensions.Logging;
using Npgsql;

namespace LlmCost.Sdk;

/// <summary>
/// The store's schema, versioned in <c>llmcost_schema_version</c>. Migrations run in one transaction under a
/// transaction-scoped advisory lock, so instances starting together migrate once, and each step runs from the version
/// before it (a v1 database with rows is brought to v2 with the rows kept); every statement is idempotent
/// (<c>IF NOT EXISTS</c>, <c>CREATE OR REPLACE</c>), so a table a DBA created beforehand (for example partitioned by day)
/// is kept and only completed.
/// </summary>
internal static class PostgreSqlSchema
{
    /// <summary>The version this package writes and reads.</summary>
    public const int CurrentVersion = 6;

    /// <summary>The first version whose last column is <c>extra</c> (the fields no column holds) instead of the record's whole JSON.</summary>
    public const int ExtraVersion = 5;

    /// <summary>
    /// The first version whose <c>cost_rollups</c> is append-only (signed sums, no unique key, summed by the reader and
    /// compacted by <c>llmcost_compact_rollups</c>) rather than upserted per bucket and group.
    /// </summary>
    public const int AppendRollupVersion = 5;

    /// <summary>
    /// The first version whose <c>cost_rollups</c> rows have a <c>grain</c>: the sink keeps the customer apart from the
    /// other five dimensions (one row per bucket and group of provider, model, feature, team and environment, and one per
    /// bucket and customer) instead of one row per bucket and combination of all six.
    /// </summary>
    public const int GrainVersion = 6;

    /// <summary>The first version with <c>cost_rollups</c>, which the store reads instead of the records when it can.</summary>
    public const int RollupVersion = 2;

    /// <summary>
    /// The first version where the writer adds its inserts to <c>cost_rollups</c> itself (no insert trigger) and
    /// <c>llmcost_rollup_status</c> says whether the rollup is complete.
    /// </summary>
    public const int ClientRollupVersion = 3;

    /// <summary>The oldest PostgreSQL the rollup's key needs (<c>UNIQUE NULLS NOT DISTINCT</c>): 15.</summary>
    public const int MinimumServerVersionForRollups = 150000;

    /// <summary>Serializes migrations across instances (an arbitrary constant: "llmcost" in ASCII).</summary>
    private const long MigrationLockKey = 0x6C6C6D636F7374;

    /// <summary>
    /// Version 1: one row per record, the queried fields as columns, cost as exact <c>numeric</c>, the whole record as
    /// JSON; and an index on the timestamp that includes every column the aggregate reads, so a report over a range is
    /// an index-only scan that never reads the (wide) rows.
    /// </summary>
    internal const string Version1 = """
        CREATE TABLE IF NOT EXISTS cost_records (
            id uuid NOT NULL PRIMARY KEY,
            "timestamp" timestamptz NOT NULL,
            provider text NOT NULL,
            operation text NOT NULL,
            model text,
            request_model text,
            service_tier text,
            region text,
            streaming boolean NOT NULL,
            status_code integer,
            error_type text,
            duration_ms double precision NOT NULL,
            feature text,
            team text,
            customer text,
            environment text,
            input_tokens bigint NOT NULL,
            cached_input_tokens bigint NOT NULL,
            cache_write_input_tokens bigint NOT NULL,
            cache_write_1h_input_tokens bigint NOT NULL,
            output_tokens bigint NOT NULL,
            reasoning_tokens bigint NOT NULL,
            web_search_requests bigint NOT NULL,
            usage_source text NOT NULL,
            cost_total numeric,
            price_table_version text,
            price_entry text,
            price_effective_from date,
            record json NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_cost_records_aggregate ON cost_records ("timestamp") INCLUDE (
            provider, model, request_model, feature, team, customer, environment,
            input_tokens, cached_input_tokens, output_tokens, cost_total);
        """;

    /// <summary>
    /// Version 2: <c>cost_rollups</c>, the sums of the records per 15-minute UTC bucket and combination of the six
    /// dimensions, kept by statement-level triggers on <c>cost_records</c> in the writer's own transaction. The insert
    /// trigger sees only the rows the statement inserted (its transition table: a retried batch whose rows
    /// <c>ON CONFLICT DO NOTHING</c> skips adds nothing); updates and deletes move the sums too. Every writer, whichever
    /// package version or tool, keeps it right. The triggers are created first: <c>CREATE TRIGGER</c> takes a lock that
    /// waits for in-flight inserts and holds new ones until the migration commits, so the backfill from the existing rows
    /// that follows misses nothing and counts nothing twice. Reports then read one row per bucket and group instead of
    /// one per record.
    /// </summary>
    internal static readonly string Version2 = $$"""
        CREATE TABLE IF NOT EXISTS cost_rollups (
            bucket timestamptz NOT NULL,
            provider text NOT NULL,
            model text,
            feature text,
            team text,
            customer text,
            environment text,
            calls bigint NOT NULL,
            unpriced_calls bigint NOT NULL,
            input_tokens bigint NOT NULL,
            cached_input_tokens bigint NOT NULL,
            output_tokens bigint NOT NULL,
            cost numeric NOT NULL,
            CONSTRAINT cost_rollups_key UNIQUE NULLS NOT DISTINCT (bucket, provider, model, feature, team, customer, environment)
        );
        CREATE OR REPLACE FUNCTION llmcost_cost_rollups_inserted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        BEGIN
        {{RollupUpsert("llmcost_inserted")}};
        RETURN NULL;
        END
        $llmcost$;
        CREATE OR REPLACE FUNCTION llmcost_cost_rollups_deleted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        BEGIN
        {{RollupDelta("SELECT " + DeltaColumns + ", -1 AS sign FROM llmcost_deleted")}};
        RETURN NULL;
        END
        $llmcost$;
        CREATE OR REPLACE FUNCTION llmcost_cost_rollups_updated() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        BEGIN
        {{RollupDelta("SELECT " + DeltaColumns + ", 1 AS sign FROM llmcost_inserted UNION ALL SELECT " + DeltaColumns + ", -1 FROM llmcost_deleted")}};
        RETURN NULL;
        END
        $llmcost$;
        DROP TRIGGER IF EXISTS llmcost_cost_rollups_inserted ON cost_records;
        DROP TRIGGER IF EXISTS llmcost_cost_rollups_deleted ON cost_records;
        DROP TRIGGER IF EXISTS llmcost_cost_rollups_updated ON cost_records;
        CREATE TRIGGER llmcost_cost_rollups_inserted AFTER INSERT ON cost_records
            REFERENCING NEW TABLE AS llmcost_inserted FOR EACH STATEMENT EXECUTE FUNCTION llmcost_cost_rollups_inserted();
        CREATE TRIGGER llmcost_cost_rollups_deleted AFTER DELETE ON cost_records
            REFERENCING OLD TABLE AS llmcost_deleted FOR EACH STATEMENT EXECUTE FUNCTION llmcost_cost_rollups_deleted();
        CREATE TRIGGER llmcost_cost_rollups_updated AFTER UPDATE ON cost_records
            REFERENCING OLD TABLE AS llmcost_deleted NEW TABLE AS llmcost_inserted FOR EACH STATEMENT EXECUTE FUNCTION llmcost_cost_rollups_updated();
        DELETE FROM cost_rollups;
        {{RollupUpsert("cost_records")}};
        """;

    /// <summary>
    /// Version 3: the rollup of the sink's inserted rows moves from the insert trigger to the sink, which adds its batch's sums in
    /// the same transaction (aggregated in the client after a <c>COPY</c> that inserts all of the batch's rows, or in SQL
    /// from <c>INSERT ... ON CONFLICT DO NOTHING RETURNING</c> when some ids were stored already), so the server no longer
    /// keeps a transition table of the inserted rows nor aggregates them (measured: 1–3 µs of server CPU per record of
    /// the rollup's ~11; the rest is the upserts themselves, one per new bucket × group). The insert trigger stays for
    /// every other writer (a hand-written <c>INSERT</c>, an import, an instance still on version 2 during a rolling
    /// upgrade): it returns at once when the session says its writer keeps the rollup (<see cref="WriterRollupSetting"/>,
    /// set by the version 3 sink on its connections). Updates and deletes keep their triggers. <c>llmcost_rollup_status</c> says whether the rollup is complete: a sink whose rollup is
    /// turned off (<c>PostgreSqlCostSinkOptions.Rollup</c>) marks it incomplete in each batch's transaction, and the store
    /// then reads the records; <c>SELECT llmcost_rebuild_rollups();</c> recomputes it from the records (holding writers
    /// off meanwhile) and marks it complete again.
    /// <c>cost_rollups</c> gets a fill factor of 70 (new pages only, no rewrite): most upserts update a row of the
    /// current bucket, and the room left on its page lets PostgreSQL update it in place (HOT) instead of adding an entry
    /// to the seven-column key's index for every new row version.
    /// </summary>
    internal static readonly string Version3 = $$"""
        CREATE OR REPLACE FUNCTION llmcost_cost_rollups_inserted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        BEGIN
        IF current_setting('{{WriterRollupSetting}}', true) = 'on' THEN
            RETURN NULL; -- a version 3 sink: it adds its rows itself (or, with its rollup off, marks the rollup incomplete)
        END IF;
        {{RollupUpsert("llmcost_inserted")}};
        RETURN NULL;
        END
        $llmcost$;
        ALTER TABLE cost_rollups SET (fillfactor = 70);
        CREATE TABLE IF NOT EXISTS llmcost_rollup_status (complete boolean NOT NULL);
        INSERT INTO llmcost_rollup_status (complete) SELECT true WHERE NOT EXISTS (SELECT 1 FROM llmcost_rollup_status);
        CREATE OR REPLACE FUNCTION llmcost_rebuild_rollups() RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        DECLARE
            groups bigint;
        BEGIN
        LOCK TABLE cost_records IN SHARE MODE;
        DELETE FROM cost_rollups;
        {{RollupUpsert("cost_records")}};
        GET DIAGNOSTICS groups = ROW_COUNT;
        UPDATE llmcost_rollup_status SET complete = true;
        RETURN groups;
        END
        $llmcost$;
        """;

    /// <summary>
    /// Version 4: <c>record</c>, the record's JSON, becomes <c>text</c> (was <c>json</c>). PostgreSQL validated every
    /// record's JSON on insert (<c>json_recv</c> → <c>pg_parse_json</c>: ~3 µs of the backend's ~13 per record, a fifth
    /// of its CPU, measured) although the sink's own writer produced it; as <c>text</c> it is only checked to be UTF-8.
    /// Queries cast it back where they need JSON: <c>record::json-&gt;'tags'-&gt;&gt;'experiment'</c>. The change rewrites
    /// the table and its indexes once (no cast between <c>json</c> and <c>text</c> is binary): on an empty or small store
    /// it is instant; on a large one it holds writers and readers off for the rewrite (measured: 6 s for 524,288 rows),
    /// so run it at a quiet time or ahead with the same statement. A column that is <c>text</c> already (a table created
    /// beforehand) is left as it is.
    /// </summary>
    internal const string Version4 = """
        ALTER TABLE cost_records ALTER COLUMN record TYPE text USING record::text;
        """;

    /// <summary>
    /// Version 5: the record is no longer stored twice. <c>record</c> (the whole JSON, ~700 bytes, every field of it also
    /// a column but for a few) becomes <c>extra</c>: only the fields no column holds (custom tags, the cost's parts, the
    /// rarer token counts, a price's start time; see <see cref="RecordExtra"/>), <c>NULL</c> when there are none. The
    /// store rebuilds the record from the columns and <c>extra</c> (its <see cref="CostRecord.ToJson"/> is the JSON the sink
    /// was given); a custom tag is queried as <c>extra::json-&gt;'tags'-&gt;&gt;'experiment'</c>. The existing rows are
    /// converted in one rewrite of the table (an <c>ALTER COLUMN ... TYPE ... USING</c>: no update triggers, no dead rows),
    /// as version 4's was — instant on an empty or small store, 8.8 s for 524,288 rows measured (~17 s per million), holding
    /// writers and readers off meanwhile. A table that already has <c>extra</c> and no <c>record</c> is left as it is.
    /// </summary>
    internal static string Version5 => VersionFiveRecord + VersionFiveRollup;

    // The conversion of a version 4 row's JSON into extra, once per row of the rewrite: the JSON is parsed once (jsonb),
    // extra is assembled as text; only custom tags, rare, are read from the text again, which keeps their order.
    private const string VersionFiveRecord = """
        CREATE OR REPLACE FUNCTION llmcost_record_extra(record text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $llmcost$
        DECLARE
            j jsonb := record::jsonb;
            u jsonb := j->'usage';
            c jsonb := j->'cost';
            p jsonb := j->'price';
            t text;
            us text;
            co text;
            pr text;
        BEGIN
        IF jsonb_typeof(j->'tags') = 'object' THEN
            IF (j->'tags') - ARRAY['feature', 'team', 'customer', 'environment'] <> '{}'::jsonb THEN
                t := (SELECT json_object_agg(e.key, e.value ORDER BY e.n)::text
                    FROM json_each(record::json->'tags') WITH ORDINALITY AS e(key, value, n)
                    WHERE e.key NOT IN ('feature', 'team', 'customer', 'environment'));
            END IF;
        END IF;
        IF jsonb_typeof(u) = 'object' THEN
            us := nullif(concat_ws(',',
                CASE WHEN (u->>'audioInputTokens')::numeric <> 0 THEN '"audioInputTokens":' || (u->'audioInputTokens')::text END,
                CASE WHEN (u->>'audioOutputTokens')::numeric <> 0 THEN '"audioOutputTokens":' || (u->'audioOutputTokens')::text END,
                CASE WHEN (u->>'imageInputTokens')::numeric <> 0 THEN '"imageInputTokens":' || (u->'imageInputTokens')::text END,
                CASE WHEN (u->>'imageOutputTokens')::numeric <> 0 THEN '"imageOutputTokens":' || (u->'imageOutputTokens')::text END,
                CASE WHEN (u->>'videoInputTokens')::numeric <> 0 THEN '"videoInputTokens":' || (u->'videoInputTokens')::text END,
                CASE WHEN (u->>'videoOutputTokens')::numeric <> 0 THEN '"videoOutputTokens":' || (u->'videoOutputTokens')::text END), '');
        END IF;
        IF jsonb_typeof(c) = 'object' THEN
            co := nullif(concat_ws(',',
                CASE WHEN c->>'currency' <> 'USD' THEN '"currency":' || (c->'currency')::text END,
                CASE WHEN (c->>'input')::numeric <> 0 THEN '"input":' || (c->'input')::text END,
                CASE WHEN (c->>'cachedInput')::numeric <> 0 THEN '"cachedInput":' || (c->'cachedInput')::text END,
                CASE WHEN (c->>'cacheWrite')::numeric <> 0 THEN '"cacheWrite":' || (c->'cacheWrite')::text END,
                CASE WHEN (c->>'output')::numeric <> 0 THEN '"output":' || (c->'output')::text END,
                CASE WHEN (c->>'requests')::numeric <> 0 THEN '"requests":' || (c->'requests')::text END,
                CASE WHEN c->>'source' = 'provider' THEN '"source":"provider"' END), '');
        END IF;
        IF jsonb_typeof(p) = 'object' THEN
            pr := nullif(concat_ws(',',
                CASE WHEN length(p->>'effectiveFrom') > 10 THEN '"effectiveFromTime":"' || substr(p->>'effectiveFrom', 12, 8) || '"' END,
                CASE WHEN p->>'requestModelFallback' = 'true' THEN '"requestModelFallback":true' END), '');
        END IF;
        RETURN nullif('{' || concat_ws(',', '"tags":' || t, '"usage":{' || us || '}', '"cost":{' || co || '}', '"price":{' || pr || '}') || '}', '{}');
        END
        $llmcost$;
        DO $llmcost$
        BEGIN
        IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'cost_records'::regclass AND attname = 'record' AND NOT attisdropped) THEN
            ALTER TABLE cost_records ALTER COLUMN record DROP NOT NULL, ALTER COLUMN record TYPE text USING llmcost_record_extra(record);
            ALTER TABLE cost_records RENAME COLUMN record TO extra;
        END IF;
        END
        $llmcost$;
        ALTER TABLE cost_records ADD COLUMN IF NOT EXISTS extra text;
        DROP FUNCTION llmcost_record_extra(text);
        """;

    /// <summary>
    /// Version 5, the rollup: <c>cost_rollups</c> becomes append-only. Each writer appends its batch's signed sums per
    /// bucket and group (a plain insert: no unique key to probe, no row to lock and update — measured ~1.5 µs per row
    /// against 8–20 µs for the upsert), the reader sums the rows of a bucket and group (it did already), and
    /// <c>llmcost_compact_rollups(buckets)</c> replaces the rows of each group with several rows in the given buckets by
    /// one (delete and re-insert in one statement; a group's single row is left where it is; rows of transactions still in
    /// flight are not seen, and rows another compaction moved first are skipped, so none is counted twice or lost) and
    /// returns the rows it wrote.
    /// The sink compacts the buckets it wrote when that merges enough rows; <c>SELECT llmcost_compact_rollups();</c> compacts them all.
    /// The unique key becomes a plain index on <c>bucket</c> (the reader's and the compaction's range). The triggers
    /// (other writers' inserts, updates, deletes) and <c>llmcost_rebuild_rollups</c> append too.
    /// </summary>
    private static readonly string VersionFiveRollup = $$"""

        ALTER TABLE cost_rollups DROP CONSTRAINT IF EXISTS cost_rollups_key;
        CREATE INDEX IF NOT EXISTS ix_cost_rollups_bucket ON cost_rollups (bucket);
        ALTER TABLE cost_rollups SET (fillfactor = 100);
        CREATE OR REPLACE FUNCTION llmcost_cost_rollups_inserted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        BEGIN
        IF current_setting('{{WriterRollupSetting}}', true) = 'on' THEN
            RETURN NULL; -- a version 3 or later sink: it adds its rows itself (or, with its rollup off, marks the rollup incomplete)
        END IF;
        {{RollupAppend("llmcost_inserted")}};
        RETURN NULL;
        END
        $llmcost$;
        CREATE OR REPLACE FUNCTION llmcost_cost_rollups_deleted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        BEGIN
        {{RollupDeltaAppend("SELECT " + DeltaColumns + ", -1 AS sign FROM llmcost_deleted")}};
        RETURN NULL;
        END
        $llmcost$;
        CREATE OR REPLACE FUNCTION llmcost_cost_rollups_updated() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        BEGIN
        {{RollupDeltaAppend("SELECT " + DeltaColumns + ", 1 AS sign FROM llmcost_inserted UNION ALL SELECT " + DeltaColumns + ", -1 FROM llmcost_deleted")}};
        RETURN NULL;
        END
        $llmcost$;
        CREATE OR REPLACE FUNCTION llmcost_rebuild_rollups() RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        DECLARE
            groups bigint;
        BEGIN
        LOCK TABLE cost_records IN SHARE MODE;
        DELETE FROM cost_rollups;
        {{RollupAppend("cost_records")}};
        GET DIAGNOSTICS groups = ROW_COUNT;
        UPDATE llmcost_rollup_status SET complete = true;
        RETURN groups;
        END
        $llmcost$;
        CREATE OR REPLACE FUNCTION llmcost_compact_rollups(buckets timestamptz[] DEFAULT NULL) RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        DECLARE
            groups bigint;
        BEGIN
        -- Only the groups with several rows move: a group's single row is already compact (and stays where it is).
        WITH repeated AS (
            SELECT unnest(array_agg(ctid)) AS row_id FROM cost_rollups
            WHERE buckets IS NULL OR bucket = ANY (buckets)
            GROUP BY bucket, provider, model, feature, team, customer, environment
            HAVING count(*) > 1),
        moved AS (DELETE FROM cost_rollups WHERE ctid IN (SELECT row_id FROM repeated) RETURNING *)
        {{RollupInsert}}
        SELECT bucket, provider, model, feature, team, customer, environment, sum(calls)::bigint, sum(unpriced_calls)::bigint,
            sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint, sum(output_tokens)::bigint, sum(cost)
        FROM moved
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(calls) <> 0;
        GET DIAGNOSTICS groups = ROW_COUNT;
        RETURN groups;
        END
        $llmcost$;
        """;

    /// <summary>
    /// Version 6: the customer is kept apart in the rollup. With the customer in the key, a rollup row was nearly one per
    /// record wherever customers are many (one app's traffic, 20 features and 100 customers, appended ~400 rows per
    /// 512-record batch; a 10 M-record month kept 4.2 M rows after compaction, and the report read them all). Now each row has a
    /// <c>grain</c>: <see cref="AllDimensionsGrain"/> (all six dimensions: the rows before this version, and what the
    /// triggers and the staging path append), <see cref="WithoutCustomerGrain"/> (the five others, customer <c>NULL</c>)
    /// and <see cref="CustomerGrain"/> (the customer alone, the others <c>NULL</c>). The sink appends a batch's sums at the
    /// two new grains; a reader sums grains 0 and 1 for any grouping without the customer, and grains 0 and 2 for the
    /// customer alone; a grouping of the customer with another dimension reads the records. Compaction rewrites the
    /// buckets it is given in one pass (every row of them deleted and re-inserted summed, rather than a grouping to find
    /// the repeated keys first and a delete of those), and turns grain 0 rows into one row at each new grain. Adding the
    /// column rewrites nothing (a constant default), and the rows there are stay valid.
    /// </summary>
    internal static readonly string Version6 = $$"""
        ALTER TABLE cost_rollups ADD COLUMN IF NOT EXISTS grain smallint NOT NULL DEFAULT 0;
        ALTER TABLE cost_rollups ALTER COLUMN provider DROP NOT NULL;
        CREATE OR REPLACE FUNCTION llmcost_rebuild_rollups() RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        DECLARE
            groups bigint;
        BEGIN
        LOCK TABLE cost_records IN SHARE MODE;
        DELETE FROM cost_rollups;
        {{RollupGrainAppend("cost_records", fromRollup: false)}};
        GET DIAGNOSTICS groups = ROW_COUNT;
        UPDATE llmcost_rollup_status SET complete = true;
        RETURN groups;
        END
        $llmcost$;
        CREATE OR REPLACE FUNCTION llmcost_compact_rollups(buckets timestamptz[] DEFAULT NULL) RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $llmcost$
        DECLARE
            groups bigint;
        BEGIN
        -- Every row of the buckets is moved, once: rows of transactions still in flight are not seen (they stay), and a row
        -- another compaction moved first is skipped (its DELETE waits for that one, then finds the row gone).
        WITH moved AS (DELETE FROM cost_rollups WHERE buckets IS NULL OR bucket = ANY (buckets) RETURNING *)
        {{RollupGrainAppend("moved", fromRollup: true)}};
        GET DIAGNOSTICS groups = ROW_COUNT;
        RETURN groups;
        END
        $llmcost$;
        """;

    /// <summary>
    /// Appends the sums of the rows of <paramref name="source"/> at grains 1 and 2 (version 6): one row per bucket and
    /// group of the five dimensions without the customer, and one per bucket and customer. The rows of
    /// <paramref name="source"/> are records, or rollup rows of any grain (a row of grain 1 counts only towards grain 1,
    /// of grain 2 only towards grain 2, of grain 0 towards both).
    /// </summary>
    /// <param name="source">The records (<c>cost_records</c>), or rollup rows (a compaction's deleted rows).</param>
    /// <param name="fromRollup">Whether <paramref name="source"/> holds rollup rows, whose sums are summed (and groups whose calls sum to 0, all records deleted, dropped).</param>
    private static string RollupGrainAppend(string source, bool fromRollup)
    {
        var (bucket, model, sums, withoutCustomer, byCustomer, having) = fromRollup
            ? ("bucket", "model",
                "sum(calls)::bigint, sum(unpriced_calls)::bigint, sum(input_tokens)::bigint, sum(cached_input_tokens)::bigint, sum(output_tokens)::bigint, sum(cost)",
                $"WHERE grain <> {CustomerGrain}", $"WHERE grain <> {WithoutCustomerGrain}", "HAVING sum(calls) <> 0")
            : (Bucket, "coalesce(model, request_model)",
                "count(*), count(*) - count(cost_total), coalesce(sum(input_tokens), 0)::bigint, coalesce(sum(cached_input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint, coalesce(sum(cost_total), 0)",
                string.Empty, string.Empty, string.Empty);
        return $"""
            INSERT INTO cost_rollups (bucket, grain, provider, model, feature, team, customer, environment, calls, unpriced_calls, input_tokens, cached_input_tokens, output_tokens, cost)
            SELECT {bucket}, {WithoutCustomerGrain}::smallint, provider, {model}, feature, team, NULL::text, environment, {sums}
            FROM {source} {withoutCustomer}
            GROUP BY 1, 3, 4, 5, 6, 8 {having}
            UNION ALL
            SELECT {bucket}, {CustomerGrain}::smallint, NULL::text, NULL::text, NULL::text, NULL::text, customer, NULL::text, {sums}
            FROM {source} {byCustomer}
            GROUP BY 1, 7 {having}
            """;
    }

    /// <summary>
    /// The session setting a version 3 sink turns on (<c>SET llmcost.rollup_by_writer = on</c>) so the insert trigger
    /// leaves its rows to it. Session-level, as the sink's temporary staging table: the sink needs session pooling.
    /// </summary>
    internal const string WriterRollupSetting = "llmcost.rollup_by_writer";

    /// <summary>
    /// Marks the rollup incomplete, in the transaction of a batch written without it. It runs after the batch's insert,
    /// so the lock on <c>cost_records</c> is taken first, as <c>llmcost_rebuild_rollups</c> does (no deadlock); it
    /// updates nothing, and locks nothing, once the rollup is marked.
    /// </summary>
    internal const string MarkRollupIncomplete = "UPDATE llmcost_rollup_status SET complete = false WHERE complete;";

    /// <summary>
    /// Adds the rows a statement inserted to the rollup, in SQL: <paramref name="insert"/> is an
    /// <c>INSERT ... RETURNING</c> of <see cref="DeltaColumns"/> (the retry path: only the rows actually inserted count).
    /// </summary>
    internal static string RollupOfInserted(string insert, bool append) => $"""
        WITH llmcost_inserted AS ({insert})
        {(append ? RollupAppend("llmcost_inserted") : RollupUpsert("llmcost_inserted"))};
        """;

    /// <summary>The binary COPY the version 5 sink appends its rollup rows with (<see cref="BinaryCopyWriter.WriteRollupRow"/>).</summary>
    internal const string RollupAppendCopy =
        "COPY cost_rollups (bucket, provider, model, feature, team, customer, environment, calls, unpriced_calls, input_tokens, cached_input_tokens, output_tokens, cost) FROM STDIN (FORMAT BINARY)";

    /// <summary>Compacts the given buckets of the rollup (version 5): one row per group.</summary>
    internal const string CompactRollups = "SELECT llmcost_compact_rollups(@buckets);";

    /// <summary>The binary COPY the version 6 sink appends its rollup rows with, their grain included.</summary>
    internal const string RollupGrainAppendCopy =
        "COPY cost_rollups (bucket, grain, provider, model, feature, team, customer, environment, calls, unpriced_calls, input_tokens, cached_input_tokens, output_tokens, cost) FROM STDIN (FORMAT BINARY)";

    /// <summary>A <c>cost_rollups</c> row of all six dimensions: written by the triggers, the staging path, and before version 6.</summary>
    internal const short AllDimensionsGrain = 0;

    /// <summary>A <c>cost_rollups</c> row of provider, model, feature, team and environment; its customer is <c>NULL</c> (not kept).</summary>
    internal const short WithoutCustomerGrain = 1;

    /// <summary>A <c>cost_rollups</c> row of the customer alone; its other dimensions are <c>NULL</c> (not kept).</summary>
    internal const short CustomerGrain = 2;

    /// <summary>
    /// Adds the batch's sums, aggregated by the client, to the rollup: one row per bucket and group as parallel arrays,
    /// upserted in key order, as the SQL paths do, so writers sharing buckets and groups never deadlock.
    /// </summary>
    internal const string RollupFromClient = RollupInsert + "\n"
        + "SELECT * FROM unnest(@bucket, @provider, @model, @feature, @team, @customer, @environment, @calls, @unpriced, @input, @cached, @output, @cost)\n"
        + RollupOrderedConflict + ";";

    /// <summary>The bucket of a record: 15 minutes from the Unix epoch, in UTC, as the aggregate query's buckets.</summary>
    private const string Bucket = "date_bin('15 minutes', \"timestamp\", TIMESTAMPTZ '1970-01-01 00:00:00+00')";

    private const string Keys = "provider, coalesce(model, request_model), feature, team, customer, environment";

    internal const string DeltaColumns = "\"timestamp\", provider, model, request_model, feature, team, customer, environment, input_tokens, cached_input_tokens, output_tokens, cost_total";

    private const string RollupInsert = """
        INSERT INTO cost_rollups AS r (bucket, provider, model, feature, team, customer, environment, calls, unpriced_calls, input_tokens, cached_input_tokens, output_tokens, cost)
        """;

    // Rows are upserted in key order, so two writers whose batches share buckets and groups lock them in the same order
    // and never deadlock.
    private const string RollupConflict = "GROUP BY 1, 2, 3, 4, 5, 6, 7\n" + RollupOrderedConflict;

    private const string RollupOrderedConflict = """
        ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT ON CONSTRAINT cost_rollups_key DO UPDATE SET
            calls = r.calls + excluded.calls,
            unpriced_calls = r.unpriced_calls + excluded.unpriced_calls,
            input_tokens = r.input_tokens + excluded.input_tokens,
            cached_input_tokens = r.cached_input_tokens + excluded.cached_input_tokens,
            output_tokens = r.output_tokens + excluded.output_tokens,
            cost = r.cost + excluded.cost
        """;

    private static readonly string[] Migrations = [Version1, Version2, Version3, Version4, Version5, Version6];

    /// <summary>Adds the sums of the rows of <paramref name="source"/> (the records, or a trigger's inserted rows) to the rollup.</summary>
    private static string RollupUpsert(string source) => $"""
        {RollupInsert}
        SELECT {Bucket}, {Keys}, count(*), count(*) - count(cost_total), coalesce(sum(input_tokens), 0)::bigint,
            coalesce(sum(cached_input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint, coalesce(sum(cost_total), 0)
        FROM {source}
        {RollupConflict}
        """;

    /// <summary>Appends the sums of the rows of <paramref name="source"/> to the append-only rollup (version 5).</summary>
    private static string RollupAppend(string source) => $"""
        {RollupInsert}
        SELECT {Bucket}, {Keys}, count(*), count(*) - count(cost_total), coalesce(sum(input_tokens), 0)::bigint,
            coalesce(sum(cached_input_tokens), 0)::bigint, coalesce(sum(output_tokens), 0)::bigint, coalesce(sum(cost_total), 0)
        FROM {source}
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        """;

    /// <summary>Appends <c>sign</c> times each row of <paramref name="source"/> to the append-only rollup (version 5).</summary>
    private static string RollupDeltaAppend(string source) => $"""
        {RollupInsert}
        SELECT {Bucket}, {Keys}, sum(sign)::bigint, sum(CASE WHEN cost_total IS NULL THEN sign ELSE 0 END)::bigint,
            sum(sign * input_tokens)::bigint, sum(sign * cached_input_tokens)::bigint, sum(sign * output_tokens)::bigint,
            coalesce(sum(sign * cost_total), 0)
        FROM ({source}) AS changed
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        """;

    /// <summary>Adds <c>sign</c> times each row of <paramref name="source"/> (rows with a <c>sign</c> column: +1 new, −1 old) to the rollup.</summary>
    private static string RollupDelta(string source) => $"""
        {RollupInsert}
        SELECT {Bucket}, {Keys}, sum(sign)::bigint, sum(CASE WHEN cost_total IS NULL THEN sign ELSE 0 END)::bigint,
            sum(sign * input_tokens)::bigint, sum(sign * cached_input_tokens)::bigint, sum(sign * output_tokens)::bigint,
            coalesce(sum(sign * cost_total), 0)
        FROM ({source}) AS changed
        {RollupConflict}
        """;

    /// <summary>Creates or migrates the schema on an open connection.</summary>
    /// <exception cref="InvalidOperationException">A newer package version wrote the schema.</exception>
    public static async Task MigrateAsync(NpgsqlConnection connection, ILogger logger, CancellationToken cancellationToken)
    {
        using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        using (var command = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(@key); CREATE TABLE IF NOT EXISTS llmcost_schema_version (version integer NOT NULL);",
            connection,
            transaction) { CommandTimeout = 0 }) // waits for another instance's migration, however long
        {
            command.Parameters.AddWithValue("key", MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var from = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        ThrowIfNewer(from);
        if (from < RollupVersion && connection.PostgreSqlVersion.Major < MinimumServerVersionForRollups / 10000)
        {
            throw new InvalidOperationException(
                $"The LlmCost PostgreSQL store needs PostgreSQL 15 or later (its rollup table's key is UNIQUE NULLS NOT DISTINCT); the server is {connection.PostgreSqlVersion}.");
        }

        for (var version = from; version < CurrentVersion; version++)
        {
            // A step that rewrites a large table takes minutes (10–17 s per million rows measured): no command timeout (the
            // connection string's default is 30 s); the caller's token still cancels it.
            using var command = new NpgsqlCommand(Migrations[version], connection, transaction) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (from < CurrentVersion)
        {
            using var command = new NpgsqlCommand(
                "DELETE FROM llmcost_schema_version; INSERT INTO llmcost_schema_version (version) VALUES (@version);",
                connection,
                transaction);
            command.Parameters.AddWithValue("version", CurrentVersion);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (from < CurrentVersion)
        {
            Log.PostgreSqlSchemaMigrated(logger, from, CurrentVersion);
        }
    }

    /// <summary>Reads the schema version (0 when the version table is missing or empty).</summary>
    public static async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        using (var exists = new NpgsqlCommand("SELECT to_regclass('llmcost_schema_version') IS NOT NULL;", connection, transaction))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return 0;
            }
        }

        using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM llmcost_schema_version;", connection, transaction);
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is int version ? version : 0;
    }

    /// <summary>Fails for a schema a newer package version wrote, whose layout this one does not know.</summary>
    public static void ThrowIfNewer(int version)
    {
        if (version > CurrentVersion)
        {
            throw new InvalidOperationException(
                $"The LlmCost PostgreSQL store has schema version {version}, newer than this package's {CurrentVersion}. Update LlmCost.Sdk.PostgreSql.");
        }
    }
}
