using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmCost.Sdk.Benchmarks;

/// <summary>
/// Per-call overhead of <see cref="CostTrackingChatClient"/> (<c>UseLlmCostTracking()</c>) against the same in-memory
/// <see cref="IChatClient"/> undecorated. One operation = one <c>GetResponseAsync</c> that returns a canned
/// <see cref="ChatResponse"/> with <see cref="UsageDetails"/> (input with cached tokens, output), or one
/// <c>GetStreamingResponseAsync</c> read to its end: 10 canned updates, the last with a <see cref="UsageContent"/>.
/// The decorated variant runs the real pipeline (DI-built, one sink that discards): the record is built, priced and queued.
/// </summary>
[MemoryDiagnoser]
public class ChatClientDecoratorBenchmarks
{
    private static readonly List<ChatMessage> Messages = [new(ChatRole.User, "Hello")];

    private ServiceProvider? _services;
    private DiscardSink? _sink;
    private IChatClient _baseline = null!;
    private IChatClient _decorated = null!;

    public enum CallKind
    {
        /// <summary>GetResponseAsync.</summary>
        Response,

        /// <summary>GetStreamingResponseAsync, 10 updates.</summary>
        Stream10,
    }

    [Params(CallKind.Response, CallKind.Stream10)]
    public CallKind Call { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _baseline = new CannedChatClient();

        _sink = new DiscardSink();
        _services = BenchmarkServices.Create(_sink);
        _decorated = new CannedChatClient().AsBuilder().UseLlmCostTracking().Build(_services);

        RunAsync(_decorated).GetAwaiter().GetResult();
        BenchmarkServices.CheckLastRecord(_services, _sink, r => r.Model == CannedChatClient.Model && r.Streaming == (Call == CallKind.Stream10));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        BenchmarkServices.PrintStatistics(_services!, _sink!);
        _baseline.Dispose();
        _decorated.Dispose();
        _services!.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<int> Undecorated() => RunAsync(_baseline);

    [Benchmark]
    public Task<int> CostTracking() => RunAsync(_decorated);

    private async Task<int> RunAsync(IChatClient client)
    {
        if (Call == CallKind.Response)
        {
            var response = await client.GetResponseAsync(Messages).ConfigureAwait(false);
            return response.Messages.Count;
        }

        var count = 0;
        await foreach (var update in client.GetStreamingResponseAsync(Messages).ConfigureAwait(false))
        {
            count += update.Contents.Count;
        }

        return count;
    }

    /// <summary>An in-memory chat client: a canned response, or 10 canned updates, completed synchronously.</summary>
    private sealed class CannedChatClient : IChatClient
    {
        public const string Model = "gpt-4o-2024-08-06";

        private static readonly ChatClientMetadata Metadata = new("openai", new Uri("https://api.openai.com/v1"), "gpt-4o");

        private static readonly ChatResponse Response = new(new ChatMessage(ChatRole.Assistant, "Hello! How can I assist you today?"))
        {
            ModelId = Model,
            Usage = new UsageDetails { InputTokenCount = 2006, CachedInputTokenCount = 1920, OutputTokenCount = 300, ReasoningTokenCount = 0, TotalTokenCount = 2306 },
        };

        private static readonly ChatResponseUpdate[] Updates =
        [
            .. Enumerable.Range(0, 9).Select(i => new ChatResponseUpdate(ChatRole.Assistant, "token " + i) { ModelId = Model }),
            new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 2006, CachedInputTokenCount = 1920, OutputTokenCount = 300 })]) { ModelId = Model },
        ];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(Response);

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var update in Updates)
            {
                yield return update;
            }

            await Task.CompletedTask.ConfigureAwait(false);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata : null;

        public void Dispose()
        {
        }
    }
}
