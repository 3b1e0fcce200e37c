namespace LlmCost.Sdk;

/// <summary>
/// Estimates the tokens of a call whose response reported no usage, from the bytes the SDK captured as they passed
/// (a stream without <c>stream_options.include_usage</c>, a stream the app stopped reading). The extension point of
/// opt-in estimation packages such as LlmCost.Sdk.Tokenizers (<c>AddTokenizerEstimation()</c>); register one as a
/// singleton service.
/// </summary>
/// <remarks>
/// <para>
/// Called off the request path, on one background consumer, once per call whose usage is missing, and only while
/// <see cref="LlmCostOptions.EstimateMissingUsage"/> is on. Without a registered estimator nothing is captured and such
/// a call is recorded with <see cref="UsageSource.None"/> and a <see langword="null"/> cost.
/// </para>
/// <para>
/// The SDK captures only streamed (SSE) responses of the OpenAI and Anthropic API formats (<see cref="LlmApiFormat"/>):
/// the formats whose text an estimator can pick out. An exception thrown here is counted in
/// <see cref="LlmCostStatistics.InternalErrors"/>, logged, and the call is recorded without usage.
/// </para>
/// </remarks>
public interface ILlmUsageEstimator
{
    /// <summary>Estimates a call's tokens.</summary>
    /// <param name="context">The call and the bytes captured from it; valid only during this call.</param>
    /// <returns>The estimated usage (its <see cref="TokenUsage.Source"/> is recorded as <see cref="UsageSource.Estimated"/>), or <see langword="null"/> when no estimate can be made.</returns>
    TokenUsage? Estimate(LlmUsageEstimationContext context);
}
