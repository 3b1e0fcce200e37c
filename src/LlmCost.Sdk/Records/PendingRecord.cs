using System.Diagnostics;

namespace LlmCost.Sdk;

/// <summary>
/// One finished call, queued before its record exists: the caller's path ends when this is queued, and the pump turns it
/// into an unpriced <see cref="CostRecord"/> (<see cref="ToRecord"/>), prices it and batches it (<see cref="LlmCostWriter.Complete"/>).
/// </summary>
/// <remarks>
/// The call's own observation object is the queued item (the HTTP handler's <see cref="CallObservation"/>, an AI client's
/// <see cref="LlmCall"/>), so finishing a call allocates no record graph on the caller's path. An instance is queued once
/// and read only by the pump after that.
/// </remarks>
internal abstract class PendingRecord
{
    /// <summary>Gets the writer that queued this call and completes it on the pump (abstract: the HTTP observation reaches it through its tracker, saving a field per call).</summary>
    public abstract LlmCostWriter Writer { get; }

    /// <summary>
    /// Gets the span that gets the record's usage and cost attributes, or <see langword="null"/>. A span that records data
    /// makes the writer build the record on the caller's path, before the span ends (attributes set later are not exported).
    /// </summary>
    public virtual Activity? Span => null;

    /// <summary>Gets a value indicating whether the call may tag the current GenAI span (an AI-client call) when it has no <see cref="Span"/>.</summary>
    public virtual bool TagsCurrentGenAISpan => false;

    /// <summary>Builds the call's record without cost (or with the cost the provider reported). Runs once.</summary>
    /// <param name="id">The record's id.</param>
    public abstract CostRecord ToRecord(Guid id);

    /// <summary>Gets the call's start time, for the record id.</summary>
    public abstract DateTimeOffset Timestamp { get; }

    /// <summary>Gets or sets what the guardrails reserved before the call was sent, settled when the record is made.</summary>
    public IRecordSettlement? Settlement { get; set; }
}
