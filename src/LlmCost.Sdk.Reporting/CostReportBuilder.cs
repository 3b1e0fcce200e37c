using System.Globalization;

namespace LlmCost.Sdk.Reporting;

/// <summary>Makes a <see cref="CostReport"/> from any <see cref="ICostRecordQuery"/>: the SQLite or PostgreSQL store, or a JSON Lines file.</summary>
/// <remarks>
/// One aggregate query reads the period (and the weeks before it that the comparisons, the forecast and the anomaly
/// window need) in UTC buckets, with one grouping set per thing the report shows (the report's grouping with the fixed
/// costs' scopes, each of the six dimensions alone, and provider × model for unpriced calls), all summed in the
/// database in one pass; the buckets are summed into local days of the options' time zone as they arrive, so memory
/// grows with days × the groups of each set — never with records, nor with the product of all six dimensions. Every
/// section is then computed from those daily sums.
/// </remarks>
public static class CostReportBuilder
{
    private const string Other = "(other)";
    private const string None = "(none)";

    /// <summary>Builds the report.</summary>
    /// <param name="query">Where the records are.</param>
    /// <param name="options">The period, time zone, grouping and fixed costs.</param>
    /// <param name="cancellationToken">Stops the query.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The period ends before it starts, or a window is not positive.</exception>
    public static async Task<CostReport> BuildAsync(ICostRecordQuery query, CostReportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        if (options.AnomalyWindowDays < 7 || options.ForecastWindowDays < 1 || options.ChartSeries < 1)
        {
            throw new ArgumentException("The anomaly window must be at least 7 days, the forecast window and the chart series at least 1.", nameof(options));
        }

        var tz = options.TimeZone;
        var now = options.TimeProvider.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, tz).DateTime);
        var to = options.To ?? today;
        var from = options.From ?? new DateOnly(to.Year, to.Month, 1);
        if (to < from)
        {
            throw new ArgumentException($"The period ends ({to:yyyy-MM-dd}) before it starts ({from:yyyy-MM-dd}).", nameof(options));
        }

        var groupBy = options.GroupBy.Count == 0 ? [CostDimension.Feature] : options.GroupBy.Distinct().ToArray();
        var chartBy = options.ChartBy ?? groupBy[0];
        var asOf = today < from ? from : today > to ? to : today;
        var monthStart = new DateOnly(asOf.Year, asOf.Month, 1);
        var monthEnd = monthStart.AddMonths(1).AddDays(-1);
        var thisWeekFrom = SpendMath.Monday(asOf);
        var lastWeekFrom = thisWeekFrom.AddDays(-7);
        var lastWeekTo = asOf.AddDays(-7);
        var forecastFrom = asOf.AddDays(-options.ForecastWindowDays);

        var queryFrom = Min(from.AddDays(-options.AnomalyWindowDays), monthStart, lastWeekFrom, forecastFrom, asOf.AddDays(-13));
        var queryTo = Max(to, asOf).AddDays(1);
        // The report's own grouping, with the dimensions the fixed costs' scopes filter on (their token shares are per group).
        var mainSet = groupBy.Concat(options.FixedCosts.SelectMany(line => line.Scope.Keys)).Distinct().ToArray();
        var sets = new GroupingSets(mainSet);
        var setDays = await ReadDaysAsync(query, tz, queryFrom, queryTo, sets, cancellationToken).ConfigureAwait(false);
        var days = setDays[sets.Main];
        List<DayRow> InPeriodOf(int set) => [.. setDays[set].Where(r => r.Day >= from && r.Day <= to)];
        var firstDataDay = days.Count == 0 ? (DateOnly?)null : days.Min(r => r.Day);

        var inPeriod = days.Where(r => r.Day >= from && r.Day <= to).ToList();
        var total = Sum([], inPeriod, 0m);

        var groups = Table(groupBy, inPeriod, total.Cost);
        var allocations = new List<FixedCostAllocation>();
        var fixedTotal = 0m;
        if (options.FixedCosts.Count > 0)
        {
            var fixedPerGroup = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var line in options.FixedCosts)
            {
                var amount = Prorate(line.MonthlyAmount, from, to);
                fixedTotal += amount;
                var scoped = inPeriod.Where(r => line.Scope.All(s => string.Equals(r.Keys.Get(s.Key), s.Value, StringComparison.Ordinal)));
                var tokensPerGroup = scoped
                    .GroupBy(r => KeyString(groupBy, r.Keys), StringComparer.Ordinal)
                    .Select(g => (Key: g.Key, Keys: KeysOf(groupBy, g.First().Keys), Tokens: g.Sum(r => r.Tokens)))
                    .Where(g => g.Tokens > 0)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .ToList();
                var lineTokens = tokensPerGroup.Sum(g => g.Tokens);
                if (lineTokens == 0)
                {
                    allocations.Add(new FixedCostAllocation { Line = line.Name, Keys = null, TokenShare = 0m, Amount = amount });
                    continue;
                }

                var parts = SpendMath.Allocate(amount, [.. tokensPerGroup.Select(g => g.Tokens)]);
                for (var i = 0; i < parts.Length; i++)
                {
                    var group = tokensPerGroup[i];
                    allocations.Add(new FixedCostAllocation
                    {
                        Line = line.Name,
                        Keys = group.Keys,
                        TokenShare = decimal.Round((decimal)group.Tokens / lineTokens, 6),
                        Amount = parts[i],
                    });
                    fixedPerGroup[group.Key] = fixedPerGroup.GetValueOrDefault(group.Key) + parts[i];
                }
            }

            groups = [.. groups.Select(g => g with { FixedCost = fixedPerGroup.GetValueOrDefault(KeyString(g.Keys)) })];
        }

        var breakdowns = Keys6.All.Select(d => new CostDimensionTable { Dimension = d, Rows = Table([d], InPeriodOf(sets.Of(d)), total.Cost) }).ToList();

        decimal Spend(DateOnly first, DateOnly last) => days.Where(r => r.Day >= first && r.Day <= last).Sum(r => r.Cost);

        var forecast = Forecast(days, asOf, monthStart, monthEnd, options.ForecastWindowDays, firstDataDay, out var paceOf);
        var summary = new SpendSummary
        {
            Today = Spend(asOf, asOf),
            Yesterday = Spend(asOf.AddDays(-1), asOf.AddDays(-1)),
            ThisWeek = Spend(thisWeekFrom, asOf),
            LastWeek = Spend(lastWeekFrom, lastWeekTo),
            MonthToDate = Spend(monthStart, asOf),
            Forecast = forecast,
        };

        // Movers and the decomposition compare the last 7 days with the 7 before, so they mean as much on a Monday as on a Sunday.
        var recentFrom = asOf.AddDays(-6);
        var priorFrom = asOf.AddDays(-13);
        var priorTo = asOf.AddDays(-7);
        var thisWeek = days.Where(r => r.Day >= recentFrom && r.Day <= asOf).ToList();
        var lastWeek = days.Where(r => r.Day >= priorFrom && r.Day <= priorTo).ToList();
        var movers = Movers(groupBy, thisWeek, lastWeek);
        var (volume, tokensPerCall, priceAndMix) = SpendMath.Decompose(
            lastWeek.Sum(r => r.Cost), lastWeek.Sum(r => r.Calls), lastWeek.Sum(r => r.Tokens),
            thisWeek.Sum(r => r.Cost), thisWeek.Sum(r => r.Calls), thisWeek.Sum(r => r.Tokens));
        var decomposition = new ChangeDecomposition
        {
            BaseFrom = priorFrom,
            BaseTo = priorTo,
            CurrentFrom = recentFrom,
            CurrentTo = asOf,
            BaseCost = lastWeek.Sum(r => r.Cost),
            CurrentCost = thisWeek.Sum(r => r.Cost),
            BaseCalls = lastWeek.Sum(r => r.Calls),
            CurrentCalls = thisWeek.Sum(r => r.Calls),
            BaseTokens = lastWeek.Sum(r => r.Tokens),
            CurrentTokens = thisWeek.Sum(r => r.Tokens),
            Volume = volume,
            TokensPerCall = tokensPerCall,
            PriceAndMix = priceAndMix,
        };

        var (series, daily) = Chart(InPeriodOf(sets.Of(chartBy)), chartBy, from, to, asOf, today, monthEnd, options.ChartSeries, paceOf);
        var anomalies = Anomalies(days, d => setDays[sets.Of(d)], from, Min(to, asOf), today, firstDataDay, options);

        var untagged = InPeriodOf(sets.Of(CostDimension.Feature)).Where(r => r.Keys.Feature is null).ToList();
        var untaggedCost = untagged.Sum(r => r.Cost);
        var unpriced = InPeriodOf(sets.ProviderModel)
            .Where(r => r.UnpricedCalls > 0)
            .GroupBy(r => (r.Keys.Provider, r.Keys.Model))
            .Select(g => new UnpricedModel { Provider = g.Key.Provider, Model = g.Key.Model, Calls = g.Sum(r => r.UnpricedCalls), Tokens = g.Where(r => r.UnpricedCalls == r.Calls).Sum(r => r.Tokens) })
            .OrderByDescending(u => u.Calls).ThenBy(u => u.Provider, StringComparer.Ordinal).ThenBy(u => u.Model, StringComparer.Ordinal)
            .ToList();

        return new CostReport
        {
            From = from,
            To = to,
            TimeZone = tz.Id,
            AsOf = asOf,
            GeneratedAt = now,
            GroupBy = groupBy,
            Total = total,
            Summary = summary,
            Groups = groups,
            Breakdowns = breakdowns,
            TopMovers = movers,
            WeekOverWeek = decomposition,
            Daily = daily,
            ChartBy = chartBy,
            ChartSeries = series,
            Anomalies = anomalies,
            Untagged = new UntaggedSpend { Calls = untagged.Sum(r => r.Calls), Cost = untaggedCost, Share = total.Cost == 0 ? 0m : decimal.Round(untaggedCost / total.Cost, 6) },
            Unpriced = unpriced,
            FixedCosts = allocations,
            FixedCostTotal = fixedTotal,
        };
    }

    /// <summary>The UTC instant a local day starts at (the first valid local time on or after midnight).</summary>
    internal static DateTimeOffset DayStart(DateOnly day, TimeZoneInfo tz)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (tz.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return new DateTimeOffset(local, tz.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>
    /// The widest bucket whose boundaries fall on every local midnight of the zone in the range: the greatest common
    /// divisor of 24 hours and each UTC offset the zone uses (a day for UTC, 8 hours for a fixed UTC−8, an hour for a
    /// zone with DST between −8 and −7, 30 minutes for +05:30), never below 15 minutes. Wider buckets mean fewer sums to
    /// send and hold.
    /// </summary>
    internal static TimeSpan BucketSizeFor(TimeZoneInfo tz, DateOnly from, DateOnly to)
    {
        var quantum = CostAggregateQuery.DefaultBucketSize.Ticks;
        var size = TimeSpan.TicksPerDay;
        for (var day = from; day <= to && size > quantum; day = day.AddDays(1))
        {
            foreach (var time in new[] { new TimeOnly(0, 0), new TimeOnly(12, 0) })
            {
                var local = day.ToDateTime(time, DateTimeKind.Unspecified);
                var offset = Math.Abs(tz.GetUtcOffset(local).Ticks) % TimeSpan.TicksPerDay;
                if (offset % quantum != 0)
                {
                    return CostAggregateQuery.DefaultBucketSize;
                }

                size = Gcd(size, offset);
            }
        }

        return TimeSpan.FromTicks(Math.Max(size, quantum));
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static async Task<List<DayRow>[]> ReadDaysAsync(ICostRecordQuery query, TimeZoneInfo tz, DateOnly from, DateOnly toExclusive, GroupingSets sets, CancellationToken cancellationToken)
    {
        var request = new CostAggregateQuery
        {
            From = DayStart(from, tz),
            To = DayStart(toExclusive, tz),
            GroupingSets = sets.Sets,
            BucketSize = BucketSizeFor(tz, from.AddDays(-1), toExclusive),
        };
        var rows = new Dictionary<(int, DateOnly, Keys6), DayRow>();
        await foreach (var aggregate in query.AggregateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(aggregate.BucketStart, tz).DateTime);
            var keys = Keys6.From(sets.Sets[aggregate.GroupingSet], aggregate.Keys);
            if (!rows.TryGetValue((aggregate.GroupingSet, day, keys), out var row))
            {
                row = new DayRow(day, keys);
                rows.Add((aggregate.GroupingSet, day, keys), row);
            }

            row.Add(aggregate);
        }

        var result = sets.Sets.Select(_ => new List<DayRow>()).ToArray();
        foreach (var ((set, _, _), row) in rows)
        {
            result[set].Add(row);
        }

        return result;
    }

    private static MonthForecast Forecast(List<DayRow> days, DateOnly asOf, DateOnly monthStart, DateOnly monthEnd, int windowDays, DateOnly? firstDataDay, out Func<DateOnly, decimal> paceOf)
    {
        var monthToDate = days.Where(r => r.Day >= monthStart && r.Day <= asOf).Sum(r => r.Cost);
        var weekdaysLeft = 0;
        var weekendLeft = 0;
        for (var day = asOf.AddDays(1); day <= monthEnd; day = day.AddDays(1))
        {
            if (SpendMath.IsWeekend(day))
            {
                weekendLeft++;
            }
            else
            {
                weekdaysLeft++;
            }
        }

        var windowTo = asOf.AddDays(-1);
        var windowFrom = asOf.AddDays(-windowDays);
        if (firstDataDay is { } first && first > windowFrom)
        {
            windowFrom = first;
        }

        if (firstDataDay is null || windowFrom > windowTo)
        {
            paceOf = _ => 0m;
            return new MonthForecast
            {
                MonthEnd = monthToDate,
                WeekdaysLeft = weekdaysLeft,
                WeekendDaysLeft = weekendLeft,
                Method = "No complete day before the as-of day has records, so the forecast is the month to date.",
            };
        }

        var perDay = days.Where(r => r.Day >= windowFrom && r.Day <= windowTo).GroupBy(r => r.Day).ToDictionary(g => g.Key, g => g.Sum(r => r.Cost));
        decimal weekdaySum = 0, weekendSum = 0;
        int weekdays = 0, weekendDays = 0;
        for (var day = windowFrom; day <= windowTo; day = day.AddDays(1))
        {
            var spend = perDay.GetValueOrDefault(day);
            if (SpendMath.IsWeekend(day))
            {
                weekendSum += spend;
                weekendDays++;
            }
            else
            {
                weekdaySum += spend;
                weekdays++;
            }
        }

        var overall = (weekdaySum + weekendSum) / (weekdays + weekendDays);
        var weekdayPace = weekdays == 0 ? overall : weekdaySum / weekdays;
        var weekendPace = weekendDays == 0 ? overall : weekendSum / weekendDays;
        weekdayPace = decimal.Round(weekdayPace, 6);
        weekendPace = decimal.Round(weekendPace, 6);
        var monthEndSpend = monthToDate + (weekdayPace * weekdaysLeft) + (weekendPace * weekendLeft);
        var wd = weekdayPace;
        var we = weekendPace;
        paceOf = day => SpendMath.IsWeekend(day) ? we : wd;
        var method = string.Create(CultureInfo.InvariantCulture,
            $"Weekday/weekend pace: month to date {Money(monthToDate)} + {weekdaysLeft} weekday(s) left x {Money(weekdayPace)} (average weekday) + {weekendLeft} weekend day(s) left x {Money(weekendPace)} (average weekend day); averages over the {windowTo.DayNumber - windowFrom.DayNumber + 1} complete day(s) {windowFrom:yyyy-MM-dd} to {windowTo:yyyy-MM-dd} ({weekdays} weekdays, {weekendDays} weekend days).");
        return new MonthForecast
        {
            MonthEnd = monthEndSpend,
            WeekdayPace = weekdayPace,
            WeekendPace = weekendPace,
            WeekdaysLeft = weekdaysLeft,
            WeekendDaysLeft = weekendLeft,
            WindowFrom = windowFrom,
            WindowTo = windowTo,
            Method = method,
        };
    }

    private static (IReadOnlyList<string> Series, IReadOnlyList<DailySpend> Daily) Chart(
        List<DayRow> inPeriod, CostDimension chartBy, DateOnly from, DateOnly to, DateOnly asOf, DateOnly today, DateOnly monthEnd, int maxSeries, Func<DateOnly, decimal> paceOf)
    {
        var ranked = inPeriod
            .GroupBy(r => r.Keys.Get(chartBy) ?? None, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Cost: g.Sum(r => r.Cost)))
            .OrderByDescending(g => g.Cost).ThenBy(g => g.Name, StringComparer.Ordinal)
            .Select(g => g.Name)
            .ToList();
        var series = ranked.Count <= maxSeries ? ranked : [.. ranked.Take(maxSeries - 1), Other];
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < series.Count; i++)
        {
            index[series[i]] = i;
        }

        // The forecast line is drawn for the days still to come: only when the period includes today.
        var showForecast = asOf == today && asOf < monthEnd && asOf.Year == to.Year && asOf.Month == to.Month;
        var axisEnd = showForecast && monthEnd > to ? monthEnd : to;
        var byDay = inPeriod.GroupBy(r => r.Day).ToDictionary(g => g.Key, g => g.ToList());
        var daily = new List<DailySpend>();
        for (var day = from; day <= axisEnd; day = day.AddDays(1))
        {
            var values = new decimal[series.Count];
            long calls = 0;
            if (byDay.TryGetValue(day, out var rows))
            {
                foreach (var row in rows)
                {
                    var name = row.Keys.Get(chartBy) ?? None;
                    values[index.TryGetValue(name, out var i) ? i : index[Other]] += row.Cost;
                    calls += row.Calls;
                }
            }

            daily.Add(new DailySpend
            {
                Date = day,
                Cost = values.Sum(),
                Calls = calls,
                Series = values,
                Forecast = showForecast && day > asOf ? paceOf(day) : null,
            });
        }

        return (series, daily);
    }

    private static List<CostAnomaly> Anomalies(List<DayRow> days, Func<CostDimension, List<DayRow>> daysBy, DateOnly from, DateOnly last, DateOnly today, DateOnly? firstDataDay, CostReportOptions options)
    {
        var anomalies = new List<CostAnomaly>();
        if (firstDataDay is not { } firstData)
        {
            return anomalies;
        }

        var scopes = new List<(CostDimension? Dimension, string? Key, Dictionary<DateOnly, decimal> PerDay)>
        {
            (null, null, days.GroupBy(r => r.Day).ToDictionary(g => g.Key, g => g.Sum(r => r.Cost))),
        };
        foreach (var dimension in Keys6.All)
        {
            foreach (var group in daysBy(dimension).GroupBy(r => r.Keys.Get(dimension), StringComparer.Ordinal))
            {
                scopes.Add((dimension, group.Key, group.GroupBy(r => r.Day).ToDictionary(g => g.Key, g => g.Sum(r => r.Cost))));
            }
        }

        var window = options.AnomalyWindowDays;
        const int minimumWindow = 4;
        foreach (var (dimension, key, perDay) in scopes)
        {
            for (var day = from; day <= last; day = day.AddDays(1))
            {
                // Weekends are compared with weekends and weekdays with weekdays, so a quiet Saturday is not a drop.
                var values = new List<decimal>(window);
                var weekend = SpendMath.IsWeekend(day);
                for (var d = day.AddDays(-window); d < day; d = d.AddDays(1))
                {
                    if (d >= firstData && SpendMath.IsWeekend(d) == weekend)
                    {
                        values.Add(perDay.GetValueOrDefault(d));
                    }
                }

                if (values.Count < minimumWindow)
                {
                    continue;
                }

                var spend = perDay.GetValueOrDefault(day);
                var (median, mad) = SpendMath.MedianAndMad(values);
                if (Math.Abs(spend - median) < options.AnomalyMinimumChange)
                {
                    continue;
                }

                var score = SpendMath.RobustScore(spend, median, mad, options.AnomalyMinimumChange);
                var isDrop = score < 0;
                if (Math.Abs(score) <= options.AnomalyThreshold || (isDrop && day >= today))
                {
                    // Today is not over: a low spend so far is not a drop.
                    continue;
                }

                anomalies.Add(new CostAnomaly
                {
                    Date = day,
                    Dimension = dimension,
                    Key = key,
                    Cost = spend,
                    Median = median,
                    Mad = mad,
                    Score = decimal.Round(score, 2),
                });
            }
        }

        return [.. anomalies.OrderBy(a => a.Date).ThenBy(a => a.Dimension.HasValue).ThenByDescending(a => Math.Abs(a.Score))];
    }

    private static List<CostMover> Movers(CostDimension[] groupBy, List<DayRow> thisWeek, List<DayRow> lastWeek)
    {
        var current = thisWeek.GroupBy(r => KeyString(groupBy, r.Keys), StringComparer.Ordinal).ToDictionary(g => g.Key, g => (Keys: KeysOf(groupBy, g.First().Keys), Cost: g.Sum(r => r.Cost)), StringComparer.Ordinal);
        var previous = lastWeek.GroupBy(r => KeyString(groupBy, r.Keys), StringComparer.Ordinal).ToDictionary(g => g.Key, g => (Keys: KeysOf(groupBy, g.First().Keys), Cost: g.Sum(r => r.Cost)), StringComparer.Ordinal);
        return current.Keys.Union(previous.Keys, StringComparer.Ordinal)
            .Select(k =>
            {
                var has = current.TryGetValue(k, out var c);
                var hadBefore = previous.TryGetValue(k, out var p);
                return new CostMover { Keys = has ? c.Keys : p.Keys, ThisWeek = has ? c.Cost : 0m, LastWeek = hadBefore ? p.Cost : 0m };
            })
            .Where(m => m.Change != 0)
            .OrderByDescending(m => Math.Abs(m.Change)).ThenBy(m => KeyString(m.Keys), StringComparer.Ordinal)
            .Take(10)
            .ToList();
    }

    private static List<CostGroup> Table(IReadOnlyList<CostDimension> dimensions, List<DayRow> rows, decimal totalCost) =>
        rows.GroupBy(r => KeyString(dimensions, r.Keys), StringComparer.Ordinal)
            .Select(g => Sum(KeysOf(dimensions, g.First().Keys), g, totalCost))
            .OrderByDescending(g => g.Cost).ThenByDescending(g => g.Calls).ThenBy(g => KeyString(g.Keys), StringComparer.Ordinal)
            .ToList();

    private static CostGroup Sum(string?[] keys, IEnumerable<DayRow> rows, decimal totalCost)
    {
        long calls = 0, unpriced = 0, input = 0, cached = 0, output = 0;
        var cost = 0m;
        foreach (var row in rows)
        {
            calls += row.Calls;
            unpriced += row.UnpricedCalls;
            input += row.InputTokens;
            cached += row.CachedInputTokens;
            output += row.OutputTokens;
            cost += row.Cost;
        }

        return new CostGroup
        {
            Keys = keys,
            Calls = calls,
            UnpricedCalls = unpriced,
            InputTokens = input,
            CachedInputTokens = cached,
            OutputTokens = output,
            Cost = cost,
            Share = totalCost == 0 ? (keys.Length == 0 ? 1m : 0m) : decimal.Round(cost / totalCost, 6),
        };
    }

    private static decimal Prorate(decimal monthlyAmount, DateOnly from, DateOnly to)
    {
        var amount = 0m;
        for (var month = new DateOnly(from.Year, from.Month, 1); month <= to; month = month.AddMonths(1))
        {
            var monthEnd = month.AddMonths(1).AddDays(-1);
            var first = Max(month, from);
            var last = Min(monthEnd, to);
            var covered = last.DayNumber - first.DayNumber + 1;
            var inMonth = monthEnd.Day;
            amount += covered == inMonth ? monthlyAmount : monthlyAmount * covered / inMonth;
        }

        return amount;
    }

    private static string?[] KeysOf(IReadOnlyList<CostDimension> dimensions, Keys6 keys)
    {
        var values = new string?[dimensions.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = keys.Get(dimensions[i]);
        }

        return values;
    }

    // \u001F never appears in a tag value the SDK writes; null is told apart from "" by \u001E.
    private static string KeyString(IReadOnlyList<CostDimension> dimensions, Keys6 keys) => KeyString(KeysOf(dimensions, keys));

    private static string KeyString(IEnumerable<string?> keys) => string.Join('\u001F', keys.Select(k => k ?? "\u001E"));

    private static string Money(decimal value) => "$" + value.ToString("0.00##", CultureInfo.InvariantCulture);

    private static DateOnly Min(params ReadOnlySpan<DateOnly> days)
    {
        var min = days[0];
        foreach (var day in days)
        {
            min = day < min ? day : min;
        }

        return min;
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    /// <summary>
    /// The grouping sets the report asks for, each once: its main grouping, each dimension alone, and provider × model.
    /// A row of a set has the set's dimensions in its <see cref="Keys6"/> and <see langword="null"/> in the others.
    /// </summary>
    private sealed class GroupingSets
    {
        private readonly List<IReadOnlyList<CostDimension>> _sets = [];
        private readonly Dictionary<int, int> _indexOfMask = [];

        public GroupingSets(CostDimension[] main)
        {
            Main = Add(main);
            foreach (var dimension in Keys6.All)
            {
                Add([dimension]);
            }

            ProviderModel = Add([CostDimension.Provider, CostDimension.Model]);
        }

        public List<IReadOnlyList<CostDimension>> Sets => _sets;

        public int Main { get; }

        public int ProviderModel { get; }

        public int Of(CostDimension dimension) => _indexOfMask[1 << (int)dimension];

        private int Add(CostDimension[] set)
        {
            var mask = set.Aggregate(0, (m, d) => m | (1 << (int)d));
            if (!_indexOfMask.TryGetValue(mask, out var index))
            {
                index = _sets.Count;
                _sets.Add(set);
                _indexOfMask.Add(mask, index);
            }

            return index;
        }
    }
}
