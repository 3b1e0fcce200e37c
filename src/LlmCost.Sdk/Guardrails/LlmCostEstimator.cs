using Microsoft.Extensions.Options;

namespace LlmCost.Sdk;

/// <summary>The <see cref="ILlmCostEstimator"/>: reads a request's shape, counts its tokens and prices the worst case.</summary>
internal sealed class LlmCostEstimator : ILlmCostEstimator
{
    private readonly ProviderEndpoints _endpoints;
    private readonly CostPricer _pricer;
    private readonly ILlmInputTokenCounter _counter;
    private readonly TimeProvider _time;
    private readonly int _defaultOutput;

    public LlmCostEstimator(
        IOptions<LlmCostOptions> options,
        IOptions<LlmGuardrailOptions> guardrails,
        CostPricer pricer,
        TimeProvider time,
        ILlmInputTokenCounter? counter = null)
    {
        _endpoints = new ProviderEndpoints(options.Value.Endpoints);
        _pricer = pricer;
        _time = time;
        _counter = counter ?? ByteLengthTokenCounter.Instance;
        _defaultOutput = guardrails.Value.DefaultOutputTokens;
    }

    public int DefaultOutputTokens => _defaultOutput;

    public async ValueTask<LlmCostEstimate?> EstimateAsync(HttpRequestMessage request, string? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_endpoints.TryResolve(request, providerOverride: null, out var target))
        {
            return null;
        }

        using var body = await RequestBody.ReadAsync(request.Content, cancellationToken).ConfigureAwait(false);
        var shape = RequestShape.Read(body.Span);
        return Estimate(target, body.Span, shape, model ?? shape.Model ?? target.UrlModel);
    }

    /// <summary>The worst-case estimate of a body already read.</summary>
    public LlmCostEstimate Estimate(in LlmCallTarget target, ReadOnlySpan<byte> body, in RequestShape shape, string? model)
    {
        var input = body.IsEmpty ? 0 : _counter.CountInputTokens(target.Provider, model, target.Operation, body);
        PriceEntry? entry = null;
        var priced = model is not null && _pricer.TryGetEntry(target.Provider, model, out entry);

        // The request's own max-tokens field, else the model's documented maximum from the price table, else the default.
        long output;
        LlmOutputTokensSource source;
        if (shape.MaxTokens is { } max and >= 0)
        {
            (output, source) = (max, LlmOutputTokensSource.Request);
        }
        else if (entry?.MaxOutputTokens is { } modelMax)
        {
            (output, source) = (modelMax, LlmOutputTokensSource.ModelMaximum);
        }
        else
        {
            (output, source) = (_defaultOutput, LlmOutputTokensSource.Default);
        }

        return new LlmCostEstimate
        {
            Provider = target.Provider,
            Operation = target.Operation,
            Model = model,
            InputTokens = input,
            OutputTokens = output,
            OutputTokensFromRequest = source == LlmOutputTokensSource.Request,
            OutputTokensSource = source,
            Cost = priced ? Price(entry!, target.Region, input, output, _time.GetUtcNow()) : null,
        };
    }

    /// <summary>
    /// The worst case's cost, straight from the price period in force (no record is built): all input at the input rate
    /// and all output at the output rate, with the rates a record of the call would get (time-of-day window, long-context
    /// tier by its input tokens) and the region's uplift. <see langword="null"/> when it overflows.
    /// </summary>
    internal static decimal? Price(PriceEntry entry, string? region, long inputTokens, long outputTokens, DateTimeOffset now)
    {
        try
        {
            var period = entry.PeriodAt(now);
            var rates = period.RatesFor(serviceTier: null, inputTokens, now);
            var cost = ((Math.Max(0, inputTokens) * rates.Input) + (Math.Max(0, outputTokens) * rates.Output)) * 0.000001m;
            return period.RegionalUplift is { } uplift && CostCalculator.IsRegional(region) ? cost * uplift : cost;
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
