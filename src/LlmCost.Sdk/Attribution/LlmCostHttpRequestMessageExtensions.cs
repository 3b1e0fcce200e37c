namespace LlmCost.Sdk;

/// <summary>Per-request attribution on <see cref="HttpRequestMessage"/>.</summary>
public static class LlmCostHttpRequestMessageExtensions
{
    /// <summary>
    /// Sets tags for this request only. They override the ambient <see cref="LlmCostScope"/> and every default.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="tags">The tags; fields left <see langword="null"/> are filled from the scope and defaults.</param>
    /// <returns>The same request, for chaining.</returns>
    public static HttpRequestMessage SetLlmCostTags(this HttpRequestMessage request, LlmCostTags tags)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tags);
        request.Options.Set(LlmCostTags.RequestOptionsKey, tags);
        return request;
    }

    /// <summary>Sets tags for this request only from individual values.</summary>
    /// <param name="request">The request.</param>
    /// <param name="feature">The product feature.</param>
    /// <param name="team">The owning team.</param>
    /// <param name="customer">The customer or tenant.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The same request, for chaining.</returns>
    public static HttpRequestMessage SetLlmCostTags(
        this HttpRequestMessage request,
        string? feature = null,
        string? team = null,
        string? customer = null,
        string? environment = null) =>
        request.SetLlmCostTags(new LlmCostTags { Feature = feature, Team = team, Customer = customer, Environment = environment });
}
