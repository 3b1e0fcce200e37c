using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace LlmCost.Sdk;

/// <summary>
/// Decides and delivers budget alerts: thresholds, pace, anomaly, loops and refusals, each once per window (a marker in
/// the <see cref="IBudgetStore"/>, so once across instances too), through the log, the <c>llmcost.budget.alerts</c>
/// metric and every <see cref="ILlmBudgetAlertHandler"/> (called on a background loop, never on a call's path).
/// </summary>
internal sealed class BudgetAlerts : IDisposable
{
    private const int MaxCached = 10_000;

    private readonly IBudgetStore _store;
    private readonly ILlmBudgetAlertHandler[] _handlers;
    private readonly ILogger _logger;
    private readonly Counter<long>? _alerts;
    private readonly ConcurrentDictionary<string, byte> _fired = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, decimal> _trailingMeans = new(StringComparer.Ordinal);
    private readonly Channel<LlmBudgetAlert> _queue = Channel.CreateBounded<LlmBudgetAlert>(new BoundedChannelOptions(1024) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public BudgetAlerts(IBudgetStore store, IEnumerable<ILlmBudgetAlertHandler> handlers, ILogger logger, Meter? meter)
    {
        _store = store;
        _handlers = [.. handlers];
        _logger = logger;
        _alerts = meter?.CreateCounter<long>("llmcost.budget.alerts", "{alert}", "Budget alerts fired, by budget and kind.");
        using (ExecutionContext.SuppressFlow())
        {
            _loop = _handlers.Length == 0 ? Task.CompletedTask : Task.Run(DeliverAsync);
        }
    }

    /// <summary>Checks a scope's window after a settlement: thresholds, pace and anomaly.</summary>
    public async ValueTask EvaluateAsync(BudgetScope scope, BudgetWindow window, BudgetTotals totals, DateTimeOffset now)
    {
        var budget = scope.Budget;
        var options = budget.Options;
        if (options.Limit is { } limit && limit > 0)
        {
            var spent = totals.Spent;
            foreach (var threshold in budget.Thresholds)
            {
                if (spent >= limit * threshold && await OnceAsync(scope.Key + "|t" + threshold.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|" + window.Id, window.End).ConfigureAwait(false))
                {
                    Raise(new LlmBudgetAlert { BudgetName = budget.Name, Kind = LlmBudgetAlertKind.Threshold, Scope = scope.Values, WindowStart = window.Start, WindowEnd = window.End, Spent = spent, Limit = limit, Threshold = threshold });
                }
            }

            if (options.PaceAlert && budget.WindowKind != BudgetWindowKind.Rolling)
            {
                var elapsed = (decimal)((now - window.Start) / (window.End - window.Start));
                if (elapsed >= 0.1m && elapsed < 1m && spent / elapsed > limit && await OnceAsync(scope.Key + "|p|" + window.Id, window.End).ConfigureAwait(false))
                {
                    Raise(new LlmBudgetAlert { BudgetName = budget.Name, Kind = LlmBudgetAlertKind.Pace, Scope = scope.Values, WindowStart = window.Start, WindowEnd = window.End, Spent = spent, Limit = limit, Reference = decimal.Round(spent / elapsed, 6) });
                }
            }
        }

        if (options.AnomalyFactor is { } factor)
        {
            await AnomalyAsync(scope, factor, options.AnomalyDays, now).ConfigureAwait(false);
        }
    }

    /// <summary>A call refused by a hard cap: one alert per scope and window.</summary>
    public async ValueTask RefusedAsync(BudgetScope scope, BudgetWindow window, BudgetTotals totals)
    {
        if (await OnceAsync(scope.Key + "|r|" + window.Id, window.End).ConfigureAwait(false))
        {
            Raise(new LlmBudgetAlert { BudgetName = scope.Budget.Name, Kind = LlmBudgetAlertKind.Refused, Scope = scope.Values, WindowStart = window.Start, WindowEnd = window.End, Spent = totals.Spent + totals.Reserved, Limit = scope.Budget.Options.Limit });
        }
    }

    /// <summary>A request body seen <see cref="LlmBudgetOptions.LoopThreshold"/> times in the loop window.</summary>
    public void Loop(BudgetScope scope, DateTimeOffset start, DateTimeOffset end, int count) =>
        Raise(new LlmBudgetAlert { BudgetName = scope.Budget.Name, Kind = LlmBudgetAlertKind.Loop, Scope = scope.Values, WindowStart = start, WindowEnd = end, Reference = count });

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async ValueTask AnomalyAsync(BudgetScope scope, decimal factor, int days, DateTimeOffset now)
    {
        var zone = scope.Budget.Zone;
        var today = BudgetWindow.DayBucket(zone, now, 0);
        var meanKey = scope.Key + "|" + today;
        var spent = await _store.GetSpentAsync(scope.Key, [today]).ConfigureAwait(false);
        if (!_trailingMeans.TryGetValue(meanKey, out var mean))
        {
            var previous = new string[days];
            for (var i = 0; i < days; i++)
            {
                previous[i] = BudgetWindow.DayBucket(zone, now, i + 1);
            }

            var history = await _store.GetSpentAsync(scope.Key, previous).ConfigureAwait(false);
            // A scope too new to have spent on the oldest day of the history has no trailing mean yet.
            mean = history[days - 1] > 0 ? history.Sum() / days : 0m;
            Bounded(_trailingMeans);
            _trailingMeans[meanKey] = mean;
        }

        if (mean > 0 && spent[0] > mean * factor)
        {
            var (start, end) = BudgetWindow.Calendar(BudgetWindowKind.Day, zone, now);
            if (await OnceAsync(scope.Key + "|a|" + today, end).ConfigureAwait(false))
            {
                Raise(new LlmBudgetAlert { BudgetName = scope.Budget.Name, Kind = LlmBudgetAlertKind.Anomaly, Scope = scope.Values, WindowStart = start, WindowEnd = end, Spent = spent[0], Limit = scope.Budget.Options.Limit, Reference = mean * factor });
            }
        }
    }

    private async ValueTask<bool> OnceAsync(string marker, DateTimeOffset expiresAt)
    {
        if (_fired.ContainsKey(marker))
        {
            return false;
        }

        Bounded(_fired);
        _fired[marker] = 0;
        return await _store.TryMarkAsync("alert|" + marker, expiresAt).ConfigureAwait(false);
    }

    private void Raise(LlmBudgetAlert alert)
    {
        Log.BudgetAlert(_logger, alert.BudgetName, alert.Kind, alert.Spent, alert.Limit, alert.Threshold);
        _alerts?.Add(1, new KeyValuePair<string, object?>("llmcost.budget", alert.BudgetName), new KeyValuePair<string, object?>("llmcost.budget.alert_kind", alert.Kind.ToString()));
        if (_handlers.Length > 0 && !_queue.Writer.TryWrite(alert))
        {
            Log.BudgetAlertDropped(_logger, alert.BudgetName);
        }
    }

    private async Task DeliverAsync()
    {
        var token = _stopping.Token;
        await foreach (var alert in _queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            foreach (var handler in _handlers)
            {
                try
                {
                    await handler.OnAlertAsync(alert, token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.BudgetAlertHandlerFailed(_logger, handler.GetType().Name, ex);
                }
            }
        }
    }

    private static void Bounded<T>(ConcurrentDictionary<string, T> cache)
    {
        if (cache.Count >= MaxCached)
        {
            // Markers are also kept in the store: forgetting the local copies costs a store lookup, never a second alert.
            cache.Clear();
        }
    }
}
