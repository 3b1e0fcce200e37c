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
        var input = body.IsEmpty ? 0 : _counter.CountInputTokens(target.Provider, model, body);
        // The request's own max-tokens field, else the model's documented maximum from the price table, else the default.
        long output;
        LlmOutputTokensSource source;
        if (shape.MaxTokens is { } max and >= 0)
        {
            (output, source) = (max, LlmOutputTokensSource.Request);
        }
        else if (model is not null && _pricer.TryGetEntry(target.Provider, model, out var entry) && entry.MaxOutputTokens is { } modelMax)
        {
            (output, source) = (modelMax, LlmOutputTokensSource.ModelMaximum);
        }
        else
        {
            (output, source) = (_defaultOutput, LlmOutputTokensSource.Default);
        }

        decimal? cost = null;
        if (model is not null)
        {
            var priced = _pricer.Price(
                new CostRecord
                {
                    Provider = target.Provider,
                    Operation = target.Operation,
                    RequestModel = model,
                    Timestamp = _time.GetUtcNow(),
                    Region = target.Region,
                    Usage = new TokenUsage { InputTokens = input, OutputTokens = output, Source = UsageSource.Estimated },
                },
                out _);
            cost = priced.Cost?.Total;
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
            Cost = cost,
        };
    }
}
