using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>
/// The SDK's OpenTelemetry output: the meter and its instruments, the activity source, span tagging and baggage.
/// One per service provider; its meter comes from the provider's <see cref="IMeterFactory"/> when there is one.
/// </summary>
/// <remarks>
/// Every method is safe on the app's call path: nothing is built unless someone listens (an instrument is
/// <see cref="Instrument.Enabled"/>, the source has listeners, a span records data), and the recorder catches and counts
/// any exception, so telemetry never throws into the call.
/// </remarks>
internal sealed class LlmCostInstrumentation : IDisposable
{
    /// <summary>The activity source is process-wide, as activity sources are meant to be; listeners pick it by name.</summary>
    internal static readonly ActivitySource Source = new(LlmCostTelemetry.ActivitySourceName, typeof(LlmCostInstrumentation).Assembly.GetName().Version?.ToString());

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _duration;
    private readonly Counter<double> _cost;
    private readonly TagValueLimiter _feature;
    private readonly TagValueLimiter _team;
    private readonly TagValueLimiter _environment;
    private readonly TagValueLimiter? _customer;
    private readonly (string Key, TagValueLimiter Limiter)[] _custom;
    private readonly bool _writeBaggage;
    private readonly ILogger _logger;
    private int _disposed;

    public LlmCostInstrumentation(IOptions<LlmCostOptions> options, ILogger<LlmCostInstrumentation> logger, IMeterFactory? meterFactory = null)
    {
        var o = options.Value.Telemetry;
        _logger = logger;
        var meterOptions = new MeterOptions(LlmCostTelemetry.MeterName) { Version = Source.Version };
        if (meterFactory is not null)
        {
            _meter = meterFactory.Create(meterOptions);
        }
        else
        {
            _meter = new Meter(meterOptions);
            _ownsMeter = true;
        }

        _tokenUsage = _meter.CreateHistogram<long>(
            SemanticConventions.TokenUsageName,
            SemanticConventions.TokenUnit,
            SemanticConventions.TokenUsageDescription,
            tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = SemanticConventions.TokenUsageBuckets });
        _duration = _meter.CreateHistogram<double>(
            SemanticConventions.OperationDurationName,
            SemanticConventions.SecondsUnit,
            SemanticConventions.OperationDurationDescription,
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SemanticConventions.OperationDurationBuckets });
        _cost = _meter.CreateCounter<double>(LlmCostTelemetry.CostMetricName, SemanticConventions.CostUnit, SemanticConventions.CostDescription);

        var max = o.MaxMetricTagValues;
        _feature = new TagValueLimiter(LlmCostTelemetry.FeatureKey, max);
        _team = new TagValueLimiter(LlmCostTelemetry.TeamKey, max);
        _environment = new TagValueLimiter(LlmCostTelemetry.EnvironmentKey, max);
        _customer = o.IncludeCustomerInMetrics ? new TagValueLimiter(LlmCostTelemetry.CustomerKey, max) : null;
        _custom = [.. o.CustomTagsInMetrics
            .Where(static k => !string.IsNullOrWhiteSpace(k))
            .Distinct(StringComparer.Ordinal)
            .Select(k => (k, new TagValueLimiter(LlmCostTelemetry.CustomTagPrefix + k, max)))];
        _writeBaggage = o.WriteBaggage;
        if (_writeBaggage)
        {
            BaggageAttribution.AddWriter();
        }
    }

    /// <summary>Gets the meter, for tests that listen to this instance only.</summary>
    internal Meter Meter => _meter;

    /// <summary>
    /// Starts the SDK's own client span for an HTTP call, or returns <see langword="null"/> when nobody listens to the source.
    /// It becomes <see cref="Activity.Current"/>, so the HTTP client's own span is its child.
    /// </summary>
    public static Activity? StartActivity(in LlmCallTarget target)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        // No attribute is set here: the span is named after the operation, and every attribute (operation and provider
        // included) is set on the pump, from the record, before the span ends (TagSpan; TagUnrecorded for a call without
        // a record). A span nobody samples is not created at all.
        return Source.StartActivity(target.Operation, ActivityKind.Client);
    }

    /// <summary>Sets the attributes a span always carries when its call leaves no record (dropped, discarded or failed to build).</summary>
    public static void TagUnrecorded(Activity activity, in LlmCallTarget target, string? errorType)
    {
        activity.SetTag(SemanticConventions.OperationName, target.Operation);
        activity.SetTag(SemanticConventions.ProviderName, target.Provider);
        if (errorType is not null)
        {
            activity.SetTag(SemanticConventions.ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>
    /// Ends the SDK's own span. <see cref="Activity.Stop"/> makes the span's parent current; the caller's current
    /// span is put back, because the body may end on another flow than the one that sent the request.
    /// </summary>
    public static void StopActivity(Activity activity)
    {
        var current = Activity.Current;
        activity.Stop();
        if (!ReferenceEquals(current, activity))
        {
            Activity.Current = current;
        }
    }

    /// <summary>
    /// Sets a span's end to the end of its call (<paramref name="duration"/> after its start) before it is stopped later: a
    /// streamed call whose usage is estimated off the call's path keeps its span open until the estimated record tags it,
    /// and <see cref="Activity.Stop"/> keeps an end time already set.
    /// </summary>
    public static void SetEnd(Activity activity, TimeSpan duration) =>
        activity.SetEndTime(activity.StartTimeUtc + (duration > TimeSpan.Zero ? duration : TimeSpan.Zero));

    /// <summary>Gets a value indicating whether a span records data and is a GenAI operation span (it has <c>gen_ai.operation.name</c>).</summary>
    public static bool IsGenAISpan(Activity? activity) =>
        activity is { IsAllDataRequested: true } && activity.GetTagItem(SemanticConventions.OperationName) is not null;

    /// <summary>
    /// Puts a record's usage, cost and attribution on a span. On the SDK's own span every attribute is set. On another
    /// span (an AI client's): cost, cache-write tokens and attribution always; the other GenAI attributes only when the
    /// span is not already a GenAI span (it has no <c>gen_ai.operation.name</c>), since a GenAI instrumentation such as
    /// Microsoft.Extensions.AI's <c>OpenTelemetryChatClient</c> reports those itself.
    /// </summary>
    public static void TagSpan(Activity activity, CostRecord record)
    {
        var own = ReferenceEquals(activity.Source, Source);

        // The SDK's own span carries no attribute until now (none is set at its start): when no listener added one either,
        // each is appended (Activity.SetTag searches the list for the key first, at every call).
        var tagger = new SpanTagger(activity, append: own && activity.TagObjects is ICollection<KeyValuePair<string, object?>> { Count: 0 });
        if (own || activity.GetTagItem(SemanticConventions.OperationName) is null)
        {
            tagger.Set(SemanticConventions.OperationName, record.Operation);
            tagger.Set(SemanticConventions.ProviderName, record.Provider);
            tagger.Set(SemanticConventions.RequestModel, record.RequestModel);
            tagger.Set(SemanticConventions.ResponseModel, record.Model);
            var usage = record.Usage;
            if (usage.Source != UsageSource.None)
            {
                tagger.Set(SemanticConventions.InputTokens, usage.InputTokens);
                tagger.Set(SemanticConventions.OutputTokens, usage.OutputTokens);
                tagger.Set(SemanticConventions.CacheReadInputTokens, usage.CachedInputTokens);
                tagger.Set(SemanticConventions.ReasoningOutputTokens, usage.ReasoningTokens);
            }

            if (record.ErrorType is { } error)
            {
                tagger.Set(SemanticConventions.ErrorType, error);
                activity.SetStatus(ActivityStatusCode.Error);
            }

            if (own && record.RequestModel is { } requestModel)
            {
                activity.DisplayName = record.Operation + " " + requestModel;
            }
        }

        if (record.Usage.Source != UsageSource.None)
        {
            tagger.Set(SemanticConventions.CacheCreationInputTokens, record.Usage.CacheWriteInputTokens);
        }

        if (record.Cost is { } cost)
        {
            tagger.Set(SemanticConventions.CostAmount, (double)cost.Total);
            tagger.Set(SemanticConventions.CostCurrency, cost.Currency);
            tagger.Set(SemanticConventions.CostSource, SemanticConventions.CostSourceLocal);
        }

        var tags = record.Tags;
        tagger.Set(LlmCostTelemetry.FeatureKey, tags.Feature);
        tagger.Set(LlmCostTelemetry.TeamKey, tags.Team);
        tagger.Set(LlmCostTelemetry.CustomerKey, tags.Customer);
        tagger.Set(LlmCostTelemetry.EnvironmentKey, tags.Environment);
        foreach (var (key, value) in tags.CustomTags)
        {
            tagger.Set(CustomAttribute(key), value);
        }
    }

    /// <summary>The span attribute of a custom tag (<c>llmcost.tag.</c> and its key), made once per key (at most 1,024 kept).</summary>
    private static string CustomAttribute(string key)
    {
        if (CustomAttributes.TryGetValue(key, out var attribute))
        {
            return attribute;
        }

        attribute = LlmCostTelemetry.CustomTagPrefix + key;
        if (CustomAttributes.Count < 1024)
        {
            CustomAttributes.TryAdd(key, attribute);
        }

        return attribute;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> CustomAttributes = new(StringComparer.Ordinal);

    /// <summary>Sets a span's attributes: appended when the span has none yet (each key once), set otherwise; a zero count shares one box.</summary>
    private readonly struct SpanTagger(Activity activity, bool append)
    {
        private static readonly object Zero = 0L;

        public void Set(string key, string? value)
        {
            if (value is not null)
            {
                Put(key, value);
            }
        }

        public void Set(string key, long value) => Put(key, value == 0 ? Zero : value);

        public void Set(string key, double value) => Put(key, value);

        private void Put(string key, object value)
        {
            if (append)
            {
                activity.AddTag(key, value);
            }
            else
            {
                activity.SetTag(key, value);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_writeBaggage)
        {
            BaggageAttribution.RemoveWriter();
        }

        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>Records the metrics of one finished call (duration, tokens, cost); nothing is built for an instrument nobody listens to.</summary>
    public void RecordMetrics(CostRecord record)
    {
        var tokens = _tokenUsage.Enabled && record.Usage.Source != UsageSource.None;

        // The instrument's unit is USD: a table priced in another currency does not feed it.
        var cost = _cost.Enabled && record.Cost is { Currency: "USD" } ? record.Cost : null;
        if (!_duration.Enabled && !tokens && cost is null)
        {
            return;
        }

        // The common attributes (at most five, held inline by TagList) are gathered once; each instrument adds to a copy.
        var common = CommonTags(record);
        if (_duration.Enabled)
        {
            _duration.Record(record.DurationMs / 1000d, common);
        }

        if (tokens)
        {
            var tags = common;
            tags.Add(SemanticConventions.TokenType, SemanticConventions.TokenTypeInput);
            _tokenUsage.Record(record.Usage.InputTokens, tags);
            tags[tags.Count - 1] = new(SemanticConventions.TokenType, SemanticConventions.TokenTypeOutput);
            _tokenUsage.Record(record.Usage.OutputTokens, tags);
        }

        if (cost is not null)
        {
            var tags = common;
            AddAttribution(ref tags, record.Tags);
            _cost.Add((double)cost.Total, tags);
        }
    }

    private static TagList CommonTags(CostRecord record)
    {
        var tags = new TagList
        {
            { SemanticConventions.OperationName, record.Operation },
            { SemanticConventions.ProviderName, record.Provider },
        };
        if (record.RequestModel is { } requestModel)
        {
            tags.Add(SemanticConventions.RequestModel, requestModel);
        }

        if (record.Model is { } model)
        {
            tags.Add(SemanticConventions.ResponseModel, model);
        }

        if (record.ErrorType is { } error)
        {
            tags.Add(SemanticConventions.ErrorType, error);
        }

        return tags;
    }

    private void AddAttribution(ref TagList tags, LlmCostTags attribution)
    {
        Add(ref tags, _feature, attribution.Feature);
        Add(ref tags, _team, attribution.Team);
        Add(ref tags, _environment, attribution.Environment);
        if (_customer is not null)
        {
            Add(ref tags, _customer, attribution.Customer);
        }

        foreach (var (key, limiter) in _custom)
        {
            if (attribution.CustomTags.TryGetValue(key, out var value))
            {
                Add(ref tags, limiter, value);
            }
        }
    }

    private void Add(ref TagList tags, TagValueLimiter limiter, string? value)
    {
        if (value is null)
        {
            return;
        }

        tags.Add(limiter.Attribute, limiter.Limit(value, out var capReached));
        if (capReached)
        {
            Log.MetricTagValuesCapped(_logger, limiter.Attribute, limiter.Max);
        }
    }
}
