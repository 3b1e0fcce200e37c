namespace LlmCost.Sdk;

/// <summary>Completes when every sink worker has passed the flush point.</summary>
internal sealed class FlushSignal
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining;

    public FlushSignal(int sinks)
    {
        _remaining = sinks;
        if (sinks == 0)
        {
            _done.TrySetResult();
        }
    }

    public Task Task => _done.Task;

    public void Signal()
    {
        if (Interlocked.Decrement(ref _remaining) <= 0)
        {
            _done.TrySetResult();
        }
    }
}
