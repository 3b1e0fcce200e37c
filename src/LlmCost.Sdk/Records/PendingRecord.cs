using System.Diagnostics;

namespace LlmCost.Sdk;

/// <summary>
/// One finished call, queued before its record exists: the caller's path ends when this is queued, and the pump turns it
/// into an unpriced <see cref="CostRecord"/> (<see cref="ToRecord"/>), prices it and batches it (<see cref="LlmCostWriter.Complete"/>).
/// </summary>
/// <remarks>
/// The call's own observation object is the queued item (the HTTP handler's <see cref="CallObservation"/>, an AI client's
/// <see cref="LlmCall"/>), so finishing a call allocates no record graph on the caller's path. An instance is queued once
/// and read only by the pump after that (a call handed to the estimator from the pump is queued once more, when estimated).
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

    /// <summary>
    /// Gets a value indicating whether the call tags and ends its own <see cref="Span"/> on the pump (explicit end time: the
    /// call's end) rather than having the writer tag it on the caller's path. The HTTP observation does.
    /// </summary>
    public virtual bool EndsSpanOnPump => false;

    /// <summary>
    /// Gets a value indicating whether the pipeline counts the call in <see cref="LlmCostStatistics.Queued"/> when the pump
    /// has made its record, rather than when it is queued: an HTTP call may go from the pump to the estimator and come
    /// back, and is one record.
    /// </summary>
    public virtual bool CountedWhenBuilt => false;

    /// <summary>Builds, prices and settles the record on the pump (see <see cref="LlmCostWriter.Complete"/>). Never throws.</summary>
    /// <returns>The record, or <see langword="null"/> when there is none (yet: a call handed to the estimator comes back).</returns>
    public virtual CostRecord? CompleteOnPump() => Writer.Complete(this);

    /// <summary>The pipeline did not take the call (its queue is full or it has shut down): whatever it holds is released.</summary>
    public virtual void OnDropped()
    {
    }
}
